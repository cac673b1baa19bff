import { randomBytes } from 'node:crypto';
import type {
  ExecutionLauncher,
  ExecutionEvents,
  ExecutionRequest,
  Job,
  JobKey,
  Logger,
  RawLine,
  ScriptRuntime,
  ServerCredentials,
  ServerExitReport,
} from '../../core';
import { ControlPlaneError, ErrorCodes, isScriptRuntime, silentLogger } from '../../core';
import type { SshExecutor } from './types';

export const SSH_REF_PREFIX = 'ssh:';
export const isSshRef = (ref: string) => ref.startsWith(SSH_REF_PREFIX);

/** An ssh job without servers, or not a script. */
export class SshJobError extends ControlPlaneError {
  constructor(message: string) {
    super(ErrorCodes.launchFailed, message);
  }
}

interface Pending {
  request: ExecutionRequest;
  abort: AbortController;
  started: boolean;
}

/** A failure of one server's run (unreachable, auth, host key, open circuit) as its exit. */
const failureOf = (err: unknown): ServerExitReport['failure'] =>
  err instanceof ControlPlaneError
    ? { code: err.code, message: err.message }
    : { code: ErrorCodes.launchFailed, message: err instanceof Error ? err.message : String(err) };

/**
 * Runs a job on every server of its ssh target at once, through the SshExecutor (pooled connections,
 * circuit breakers), as ONE execution for the core: lines carry their server's name, and the exit
 * report lists how each server ended. A cancel aborts every server's run.
 *
 * `events` is the core's report path, which retries a failed report itself: one that still fails
 * is logged here (`{ err, jobId, ... }`) and the run goes on; lines lost so are never dropped
 * silently, and a job whose exit could not be recorded is ended later by the reaper.
 */
export const createSshLauncher = (o: { executor: SshExecutor; events: ExecutionEvents; logger?: Logger }) => {
  const pending = new Map<string, Pending>();
  /** Runs started and not yet reported, for drain(). */
  const running = new Set<Promise<void>>();
  const logger = o.logger ?? silentLogger;

  /** One server's run; its lines count towards the job's shared resume token. */
  const runOne = async (
    run: { key: JobKey; job: Job; request: ExecutionRequest; signal: AbortSignal; lines: { n: number } },
    server: ServerCredentials,
  ): Promise<ServerExitReport> => {
    const { key, job, request, signal } = run;
    const base = { serverId: server.id, serverName: server.name };
    try {
      const report = await o.executor.run({
        server,
        runtime: job.runtime as ScriptRuntime,
        env: request.env,
        workspace: request.workspace,
        ...(job.deadlineAt !== undefined ? { deadlineAt: job.deadlineAt } : {}),
        signal,
        onOutput: async (lines: RawLine[]) => {
          run.lines.n += lines.length;
          try {
            await o.events.output(
              key,
              lines.map((l) => ({ ...l, server: server.name })),
              String(run.lines.n),
            );
          } catch (err) {
            logger.error(
              { err, jobId: key.jobId, serverId: server.id, dropped: lines.length },
              'ssh output could not be recorded; lines dropped',
            );
          }
        },
        onHostKey: async (fingerprint) => {
          await o.events.hostKeySeen?.(key, server.id, fingerprint);
        },
      });
      return {
        ...base,
        exitCode: report.exitCode,
        timedOut: report.timedOut,
        ...(signal.aborted && !report.timedOut ? { cancelled: true } : {}),
        ...(report.outputs ? { outputs: report.outputs } : {}),
        ...(report.failure ? { failure: report.failure } : {}),
      };
    } catch (err) {
      return { ...base, exitCode: 255, timedOut: false, failure: failureOf(err) };
    }
  };

  const run = async (ref: string, job: Job) => {
    const entry = pending.get(ref);
    if (!entry) return;
    const key = { tenant: job.tenant, jobId: job.id };
    const shared = { key, job, request: entry.request, signal: entry.abort.signal, lines: { n: 0 } };
    const executions = await Promise.all((entry.request.servers ?? []).map((server) => runOne(shared, server)));
    pending.delete(ref);
    await o.events.exited(key, { exitCode: 0, oomKilled: false, timedOut: false, executions });
  };

  const launcher: ExecutionLauncher = {
    async create(request) {
      if (!isScriptRuntime(request.job.runtime)) throw new SshJobError('an http job cannot run over SSH');
      if (!request.servers?.length) throw new SshJobError('an ssh job needs at least one server');
      const ref = `${SSH_REF_PREFIX}${request.job.id}:${randomBytes(4).toString('hex')}`;
      pending.set(ref, { request, abort: new AbortController(), started: false });
      return ref;
    },
    async start(ref, job) {
      const entry = pending.get(ref);
      if (!entry || entry.started) return;
      entry.started = true;
      const done = run(ref, job)
        .catch((err: unknown) => logger.error({ err, jobId: job.id, ref }, "the ssh job's exit could not be recorded"))
        .finally(() => running.delete(done));
      running.add(done);
    },
    async stop(ref) {
      const entry = pending.get(ref);
      if (!entry) return;
      entry.abort.abort();
      if (!entry.started) pending.delete(ref);
    },
    async list() {
      return [...pending.entries()].map(([ref, p]) => ({
        key: { tenant: p.request.job.tenant, jobId: p.request.job.id },
        ref,
        running: p.started,
      }));
    },
    async reattach(_ref, job) {
      // An SSH session dies with the process that held it: nothing to re-attach to.
      await o.events.exited(
        { tenant: job.tenant, jobId: job.id },
        {
          exitCode: 255,
          oomKilled: false,
          timedOut: false,
          failure: { code: ErrorCodes.lost, message: 'the control plane restarted while the job ran over SSH' },
        },
      );
    },
  };
  return {
    ...launcher,
    /**
     * Resolves once every run started so far has ended and its exit was reported (or logged as not
     * recorded): a runner function waits for it before it returns, since a Lambda is frozen then.
     */
    async drain() {
      while (running.size > 0) await Promise.all([...running]);
    },
    close: () => o.executor.close(),
  };
};
