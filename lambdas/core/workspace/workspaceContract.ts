import type { Job, ScriptRuntime } from '../model';
import type { WorkspaceFiles, WorkspaceOutputs } from '../ports';
import { reservedKeyProblem, storableProblem } from '../jsonRules';

/**
 * The workspace contract, the same on every target: the runner writes `in/` before the script
 * starts and reads `out/` after it ends. The runtime helpers only touch these files.
 */
export const WorkspaceLayout = {
  /** Environment variable that holds the workspace's absolute path. */
  envVar: 'CRONIUM_WORKSPACE',
  scriptFile: { bash: 'in/script.sh', python: 'in/script.py', node: 'in/script.js' } satisfies Record<ScriptRuntime, string>,
  input: 'in/input.json',
  context: 'in/context.json',
  variables: 'in/variables.json',
  outDir: 'out',
  output: 'output.json',
  condition: 'condition.json',
  setVariables: 'variables.json',
  /** Most bytes `out/` may hold; a launcher reads back no more. */
  maxOutBytes: 1024 * 1024,
  /** Most bytes of `output.json` kept on the job (a DynamoDB item holds 400 KB in all). */
  maxOutputBytes: 256 * 1024,
} as const;

/** `in/context.json`: what a script may know about its run. */
export interface RunContext {
  jobId: string;
  tenant: string;
  eventId: string | null;
  eventName: string | null;
  attempt: number;
  workflowRunId: string | null;
  workflowStep: string | null;
  scheduledAt: string | null;
}

const json = (value: unknown) => `${JSON.stringify(value ?? null)}\n`;

/** The `in/` files of a script job. */
export const buildWorkspace = (job: Job, variables: Record<string, unknown>, attempt = 1): WorkspaceFiles => {
  if (job.runtime === 'http' || job.script === undefined) return {};
  const context: RunContext = {
    jobId: job.id,
    tenant: job.tenant,
    eventId: job.eventId ?? null,
    eventName: job.eventName ?? null,
    attempt,
    workflowRunId: null,
    workflowStep: null,
    scheduledAt: null,
  };
  return {
    [WorkspaceLayout.scriptFile[job.runtime]]: job.script,
    [WorkspaceLayout.input]: json(job.input),
    [WorkspaceLayout.context]: json(context),
    [WorkspaceLayout.variables]: json(variables),
  };
};

/** What a run produced, validated; `problems` says what was rejected and why. */
export interface RunResults {
  output?: unknown;
  condition?: boolean;
  variables?: Record<string, unknown>;
  problems: string[];
}

/** Keys a script may set: they become store keys and environment references. */
export const VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const parse = (name: string, text: string, problems: string[]): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    problems.push(`out/${name} is not valid JSON`);
    return { ok: false };
  }
};

/** Validates what a launcher read back from `out/`. */
export const readRunResults = (outputs: WorkspaceOutputs | undefined): RunResults => {
  const problems: string[] = [];
  if (!outputs) return { problems };
  if (outputs.overLimit) {
    return { problems: [`out/ held more than ${WorkspaceLayout.maxOutBytes} bytes; its results were rejected`] };
  }
  const results: RunResults = { problems };
  const { files } = outputs;

  const output = files[WorkspaceLayout.output];
  if (output !== undefined && Buffer.byteLength(output) > WorkspaceLayout.maxOutputBytes) {
    problems.push(`out/${WorkspaceLayout.output} is larger than ${WorkspaceLayout.maxOutputBytes} bytes`);
  } else if (output !== undefined) {
    const parsed = parse(WorkspaceLayout.output, output, problems);
    // Refused by the store's rules here, so an odd output never fails the job record's write.
    const problem = parsed.ok ? (reservedKeyProblem(parsed.value) ?? storableProblem(parsed.value)) : undefined;
    const where = problem?.path.length ? `at ${problem.path.join('.')}` : 'at its top';
    if (problem) problems.push(`out/${WorkspaceLayout.output} ${where}: ${problem.message}`);
    else if (parsed.ok) results.output = parsed.value;
  }

  const condition = files[WorkspaceLayout.condition];
  if (condition !== undefined) {
    const parsed = parse(WorkspaceLayout.condition, condition, problems);
    if (parsed.ok && typeof parsed.value === 'boolean') results.condition = parsed.value;
    else if (parsed.ok) problems.push(`out/${WorkspaceLayout.condition} must hold true or false`);
  }

  const variables = files[WorkspaceLayout.setVariables];
  if (variables !== undefined) {
    const parsed = parse(WorkspaceLayout.setVariables, variables, problems);
    const value = parsed.ok ? parsed.value : undefined;
    if (parsed.ok && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      problems.push(`out/${WorkspaceLayout.setVariables} must hold an object of key → value`);
    } else if (parsed.ok) {
      const entries = Object.entries(value as Record<string, unknown>);
      const bad = entries.filter(([k]) => !VARIABLE_KEY.test(k)).map(([k]) => k);
      if (bad.length) problems.push(`variable keys not accepted: ${bad.join(', ')}`);
      results.variables = Object.fromEntries(entries.filter(([k]) => VARIABLE_KEY.test(k)));
    }
  }
  return results;
};
