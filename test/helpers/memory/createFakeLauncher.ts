import type { Job, JobKey } from '../../../lambdas/core/model';
import type { ExecutionLauncher, ExecutionInfo, ExecutionRequest } from '../../../lambdas/core/ports';

export interface LauncherCall {
  ref: string;
  jobId: string;
}

export interface ReattachCall extends LauncherCall {
  resumeToken?: string;
}

/**
 * A ExecutionLauncher that keeps executions in memory: `create` adds one (not running), `start`
 * marks it running, `stop` removes it, `list` returns what is left (or what the test set).
 */
export interface FakeLauncher extends ExecutionLauncher {
  /** Jobs passed to `create`, in order (copies, including calls that failed). */
  readonly created: readonly Job[];
  /** The whole requests passed to `create` (env and workspace included), in order. */
  readonly requests: readonly ExecutionRequest[];
  readonly started: readonly LauncherCall[];
  /** Refs passed to `stop`, in order. */
  readonly stopped: readonly string[];
  readonly reattached: readonly ReattachCall[];
  /** Makes every later `create` throw `err` (until cleared with `undefined`). */
  failCreate(err: Error | undefined): void;
  /** Makes every later `start` throw `err` (until cleared with `undefined`). */
  failStart(err: Error | undefined): void;
  /** Replaces the executions the launcher knows about (what `list` returns). */
  setExecutions(executions: ExecutionInfo[]): void;
  /** Runs inside `create`, before it returns: lets a test act while an execution is being created. */
  onCreate(hook: ((job: Job) => Promise<void>) | undefined): void;
  /** Runs inside `list`, after the executions were read: lets a test act while the list is in flight. */
  onList(hook: (() => Promise<void>) | undefined): void;
  /** The ref the launcher gave the job's latest execution, if any. */
  refOf(key: JobKey): string | undefined;
}

export const createFakeLauncher = (): FakeLauncher => {
  const executions = new Map<string, ExecutionInfo>();
  const created: Job[] = [];
  const requests: ExecutionRequest[] = [];
  const started: LauncherCall[] = [];
  const stopped: string[] = [];
  const reattached: ReattachCall[] = [];
  const refs = new Map<string, string>();
  let createError: Error | undefined;
  let startError: Error | undefined;
  let createHook: ((job: Job) => Promise<void>) | undefined;
  let listHook: (() => Promise<void>) | undefined;
  let n = 0;
  const keyOf = (k: JobKey) => `${k.tenant}/${k.jobId}`;

  return {
    requests,
    async create(request) {
      const { job } = request;
      requests.push(structuredClone(request));
      created.push(structuredClone(job));
      if (createError) throw createError;
      const ref = `ctr-${String(++n).padStart(4, '0')}`;
      const key = { tenant: job.tenant, jobId: job.id };
      executions.set(ref, { key, ref, running: false });
      refs.set(keyOf(key), ref);
      if (createHook) await createHook(structuredClone(job));
      return ref;
    },
    async start(ref, job) {
      started.push({ ref, jobId: job.id });
      if (startError) throw startError;
      const execution = executions.get(ref);
      if (!execution) throw new Error(`no such container: ${ref}`);
      execution.running = true;
    },
    async stop(ref) {
      stopped.push(ref);
      executions.delete(ref);
    },
    async list() {
      const listed = [...executions.values()].map((e) => structuredClone(e));
      if (listHook) await listHook();
      return listed;
    },
    async reattach(ref, job, resumeToken) {
      reattached.push({ ref, jobId: job.id, ...(resumeToken !== undefined ? { resumeToken } : {}) });
    },
    get created() {
      return created;
    },
    get started() {
      return started;
    },
    get stopped() {
      return stopped;
    },
    get reattached() {
      return reattached;
    },
    failCreate(err) {
      createError = err;
    },
    failStart(err) {
      startError = err;
    },
    setExecutions(list) {
      executions.clear();
      for (const e of list) {
        executions.set(e.ref, structuredClone(e));
        refs.set(keyOf(e.key), e.ref);
      }
    },
    onCreate(hook) {
      createHook = hook;
    },
    onList(hook) {
      listHook = hook;
    },
    refOf: (key) => refs.get(keyOf(key)),
  };
};
