/** Cronium runtime helpers for Node.js scripts. Documentation: docs/helpers/node.md. */

/** Any value JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a script may know about its run (`in/context.json`). */
export interface RunContext {
  jobId: string;
  tenant: string;
  eventId: string | null;
  eventName: string | null;
  attempt: number;
  workflowRunId: string | null;
  workflowStep: string | null;
  scheduledAt: string | null;
  [key: string]: unknown;
}

/** A helper could not do what it was asked; the message says which one and why. */
export declare class CroniumError extends Error {}

/** The run's input (parsed `in/input.json`); null when the run has none. */
export declare function input<T = any>(): T;
/** Sets the run's output (`out/output.json`); throws CroniumError when it is not JSON-serialisable. */
export declare function output(value: unknown): void;
/** A variable's value (this run's own setVariable wins); null when it is not set. */
export declare function getVariable<T = any>(key: string): T | null;
/** Sets a variable (merged into `out/variables.json`); the key must match VARIABLE_KEY. */
export declare function setVariable(key: string, value: unknown): void;
/** The run's context (`in/context.json`). */
export declare function context(): RunContext;
/** Sets the run's condition (`out/condition.json`); only true or false. */
export declare function condition(value: boolean): void;

export declare const VARIABLE_KEY: RegExp;
export declare const MAX_OUTPUT_BYTES: number;
export declare const MAX_OUT_BYTES: number;

declare const cronium: {
  input: typeof input;
  output: typeof output;
  getVariable: typeof getVariable;
  setVariable: typeof setVariable;
  context: typeof context;
  condition: typeof condition;
  CroniumError: typeof CroniumError;
  VARIABLE_KEY: RegExp;
  MAX_OUTPUT_BYTES: number;
  MAX_OUT_BYTES: number;
};
export default cronium;
