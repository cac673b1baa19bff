import { randomBytes } from 'node:crypto';
import { ControlPlaneError, ErrorCodes, ValidationError, WorkspaceLayout, describeAction, silentLogger } from '../../core';
import type {
  ExecutionEvents,
  ExecutionInfo,
  ExecutionLauncher,
  ExitReport,
  Job,
  JobKey,
  Logger,
  RawLine,
  ToolActionResult,
} from '../../core';

/** Every ref of the tool launcher starts with it; a composition root routes on it. */
export const TOOL_REF_PREFIX = 'tool:';

export const isToolRef = (ref: string): boolean => ref.startsWith(TOOL_REF_PREFIX);

export interface ToolLauncherOptions {
  /** Where lines and exits go: the core's report path. */
  events: ExecutionEvents;
  /** Performs a tool job's action (the core's ToolRunner with the job's fields). */
  run(job: Job, signal: AbortSignal): Promise<ToolActionResult>;
  /** @default Date.now */
  now?: () => number;
  logger?: Logger;
}

/** The tool launcher: a launcher whose executions are tool actions performed in this process. */
export interface ToolLauncher extends ExecutionLauncher {
  /** Resolves once every action in flight has reported its exit (a Lambda awaits it before returning). */
  drain(): Promise<void>;
  /** Aborts every action in flight without reporting it and refuses new work. */
  close(): Promise<void>;
}

interface Execution {
  ref: string;
  key: JobKey;
  job: Job;
  controller?: AbortController;
  why?: 'cancelled' | 'timeout' | 'closed';
  done?: Promise<void>;
}

const base = { exitCode: 1, oomKilled: false, timedOut: false };

/**
 * Runs `tool` jobs (webhook, Slack, Discord, email) as http jobs run: in the control plane, through
 * the launcher port, with log lines (`→ webhook POST …`, `← … answered 200 OK`) and the receiver's
 * answer as output. Exit 0 when the receiver accepted; `http_error` when it refused or could not be
 * reached; `invalid_input` for an action that cannot be performed as written; `timedOut` past the
 * job's deadline; `cancelled` after stop().
 * @throws ValidationError from create for a job without a tool action.
 */
export const createToolLauncher = (o: ToolLauncherOptions): ToolLauncher => {
  const now = o.now ?? Date.now;
  const logger = o.logger ?? silentLogger;
  const executions = new Map<string, Execution>();
  let closed = false;

  const run = async (exec: Execution): Promise<void> => {
    const ts = () => new Date(now()).toISOString();
    const lines: RawLine[] = [{ stream: 'stdout', ts: ts(), line: `→ ${describeAction(exec.job.tool!)}` }];
    let report: ExitReport;
    const limitMs = exec.job.deadlineAt !== undefined ? exec.job.deadlineAt - now() : exec.job.timeoutSeconds * 1000;
    const timer = setTimeout(
      () => {
        exec.why = 'timeout';
        exec.controller!.abort(new Error('the job timed out'));
      },
      Math.max(0, limitMs),
    );
    try {
      const result = await o.run(exec.job, exec.controller!.signal);
      const output = JSON.stringify({
        action: exec.job.tool!.action,
        ok: result.ok,
        summary: result.summary,
        ...(result.response ? { response: result.response } : {}),
      });
      const outputs = { files: { [WorkspaceLayout.output]: output } };
      lines.push({ stream: result.ok ? 'stdout' : 'stderr', ts: ts(), line: `${result.ok ? '←' : '✗'} ${result.summary}` });
      report = result.ok
        ? { ...base, exitCode: 0, outputs }
        : { ...base, outputs, failure: { code: ErrorCodes.httpError, message: result.summary } };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (exec.why === 'closed') return;
      if (exec.why === 'timeout') {
        lines.push({ stream: 'stderr', ts: ts(), line: '✗ the tool action timed out' });
        report = { ...base, timedOut: true };
      } else if (exec.why === 'cancelled') {
        lines.push({ stream: 'stderr', ts: ts(), line: '✗ cancelled' });
        report = { ...base, failure: { code: ErrorCodes.cancelled, message: 'the tool action was cancelled' } };
      } else {
        const code =
          err instanceof ControlPlaneError && err.code === ErrorCodes.invalidInput ? ErrorCodes.invalidInput : ErrorCodes.httpError;
        lines.push({ stream: 'stderr', ts: ts(), line: `✗ ${message}` });
        report = { ...base, failure: { code, message } };
      }
    } finally {
      clearTimeout(timer);
    }
    try {
      await o.events.output(exec.key, lines, String(lines.length));
      await o.events.exited(exec.key, report);
    } catch (err) {
      logger.error({ err, jobId: exec.key.jobId, ref: exec.ref }, 'reporting a tool job failed');
    }
  };

  return {
    async create({ job }) {
      if (closed) throw new ControlPlaneError(ErrorCodes.internal, 'the tool launcher is closed');
      if (!job.tool) throw new ValidationError('tool', 'is required for runtime tool');
      const ref = `${TOOL_REF_PREFIX}${job.id}:${randomBytes(6).toString('hex')}`;
      executions.set(ref, { ref, key: { tenant: job.tenant, jobId: job.id }, job });
      return ref;
    },
    async start(ref, job) {
      const exec = executions.get(ref);
      if (!exec) throw new ControlPlaneError(ErrorCodes.lost, `tool execution ${ref} does not exist in this process`);
      if (exec.done) return;
      exec.job = job;
      exec.controller = new AbortController();
      exec.done = run(exec).finally(() => executions.delete(ref));
    },
    async stop(ref) {
      const exec = executions.get(ref);
      if (!exec) return;
      if (!exec.controller || !exec.done) {
        executions.delete(ref);
        return;
      }
      exec.why = exec.job.deadlineAt !== undefined && now() >= exec.job.deadlineAt ? 'timeout' : 'cancelled';
      exec.controller.abort(new Error(exec.why));
      await exec.done;
    },
    async list(): Promise<ExecutionInfo[]> {
      return [...executions.values()].map((e) => ({ key: e.key, ref: e.ref, running: e.done !== undefined }));
    },
    async reattach(ref, job) {
      if (executions.get(ref)?.done) return;
      executions.delete(ref);
      await o.events.exited(
        { tenant: job.tenant, jobId: job.id },
        { ...base, failure: { code: ErrorCodes.lost, message: 'the tool action was lost: it cannot be resumed after a restart' } },
      );
    },
    async drain() {
      for (;;) {
        const pending = [...executions.values()].flatMap((e) => (e.done ? [e.done] : []));
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    },
    async close() {
      closed = true;
      const pending: Promise<void>[] = [];
      for (const exec of [...executions.values()]) {
        if (exec.controller && exec.done) {
          exec.why = 'closed';
          exec.controller.abort(new Error('closed'));
          pending.push(exec.done);
        } else executions.delete(exec.ref);
      }
      await Promise.all(pending);
    },
  };
};
