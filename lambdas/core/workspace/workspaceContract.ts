import { isScriptRuntime, type Job, type ScriptRuntime } from '../model';
import type { WorkspaceFiles, WorkspaceOutputs } from '../ports';
import { reservedKeyProblem, storableProblem } from '../jsonRules';

/**
 * The sizes every target and store keeps a job's workspace and text within, defined once for the
 * Docker and SSH launchers, the S3 workspace, the REST API and the store.
 */
export const WorkspaceLimits = {
  /** Most bytes of file data `out/` may hold; a launcher reads back no more (and reports `overLimit`). */
  maxOutBytes: 1024 * 1024,
  /** Most entries (files, directories, links) in `out/` a launcher reads back; more count as over the limit. */
  maxOutEntries: 1_000,
  /**
   * Most bytes of one value kept on a job or variable item (DynamoDB holds 400 KB per item, so a
   * value gets 256 KiB): `output.json`, an http job's response output, an inline script, a plain
   * variable's value as JSON.
   */
  maxValueBytes: 256 * 1024,
  /** Longest line a launcher hands over whole (UTF-8 bytes); a longer one comes in pieces marked `partial`. */
  maxLineBytes: 16 * 1024,
} as const;

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
} as const;

/** The files of `out/` a launcher reads back; anything else there is ignored. */
export const ReportedOutFiles: readonly string[] = [WorkspaceLayout.output, WorkspaceLayout.condition, WorkspaceLayout.setVariables];

/** Whether a file name in `out/` is one a launcher reads back. */
export const isReportedFile = (name: string): boolean => ReportedOutFiles.includes(name);

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
  if (!isScriptRuntime(job.runtime) || job.script === undefined) return {};
  const context: RunContext = {
    jobId: job.id,
    tenant: job.tenant,
    eventId: job.eventId ?? null,
    eventName: job.eventName ?? null,
    attempt,
    workflowRunId: job.workflowRunId ?? null,
    workflowStep: job.workflowStepId ?? null,
    scheduledAt: job.scheduledAt ?? null,
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
    return { problems: [`out/ held more than ${WorkspaceLimits.maxOutBytes} bytes; its results were rejected`] };
  }
  const results: RunResults = { problems };
  const { files } = outputs;

  const output = files[WorkspaceLayout.output];
  if (output !== undefined && Buffer.byteLength(output) > WorkspaceLimits.maxValueBytes) {
    problems.push(`out/${WorkspaceLayout.output} is larger than ${WorkspaceLimits.maxValueBytes} bytes`);
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
