import type Docker from 'dockerode';
import type { ExecutionEvents, ExitReport, Job, JobKey, Logger } from '../../core';
import { armDeadline } from './deadlineTimer';
import { isAlreadyInState, isNoSuchContainer } from './engineErrors';
import { ExecutionFollowError } from './errors';
import { KilledExitCode, toExitReport } from './exitReport';
import { followLogs } from './logFollower';
import { createOutputPump } from './outputPump';
import type { LogCursor } from './resumeToken';
import { readWorkspaceOutputs, type WorkspaceReadBack } from './workspaceOutputs';

/** A followed container that has stopped: how it looked then, and its `out/` on the way. */
interface Stopped {
  info: Docker.ContainerInspectInfo;
  outputs: Promise<WorkspaceReadBack>;
}

/** Options of followExecution. */
export interface FollowExecutionOptions {
  docker: Docker;
  ref: string;
  job: Job;
  /** The report path: it retries transient failures itself, so a rejection here is final. */
  events: ExecutionEvents;
  /** Where background failures go, as `{ err: ExecutionFollowError, jobId, ref }`. */
  logger: Logger;
  /** How long reading back `out/` may take before the exit is reported without it. */
  outputsTimeoutMs: number;
  /** Position already reported (from a resume token); undefined reports the whole log. */
  resumeFrom?: LogCursor;
  /**
   * The deadline passed before the container could start: it is not started, and is
   * reported as killed at its deadline.
   */
  expiredBeforeStart?: boolean;
}

/** A container being followed; `done` settles (never rejects) once following is over. */
export interface ExecutionFollower {
  done: Promise<void>;
  /** Stops following without touching the container; resolves once no more events will be sent. */
  close(): Promise<void>;
}

// A log stream can end just before the engine marks the container stopped; look again shortly.
const RefollowDelayMs = 250;
/** Engine reads of the log that may fail in a row before following gives up. */
const FollowAttempts = 5;
/** How often a container past its log cap is looked at until it has stopped. */
const StoppedPollMs = 250;
const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follows one started container to its end: streams its output to `events.output` as it is
 * written, kills it at the job's deadline, reads back what the script left in `out/`, then
 * reports `events.exited` (after the last output was delivered, with those outputs) and
 * removes it with its workspace volume. A container whose deadline passed before it started
 * never ran, and is reported without outputs.
 *
 * If `exited` cannot be recorded the container is kept, so a later reattach can report it.
 * Background failures are logged; nothing here rejects.
 */
export const followExecution = (o: FollowExecutionOptions): ExecutionFollower => {
  const key: JobKey = { tenant: o.job.tenant, jobId: o.job.id };
  const container = o.docker.getContainer(o.ref);
  const abort = new AbortController();
  const signal = abort.signal;
  const fail = (phase: ExecutionFollowError['phase'], message: string, cause?: unknown) => {
    const err = new ExecutionFollowError(o.ref, o.job.id, phase, message, { cause });
    o.logger.error({ err, jobId: o.job.id, ref: o.ref, phase }, err.message);
  };
  const pump = createOutputPump({
    key,
    events: o.events,
    signal,
    onGiveUp: (err, dropped) => fail('output', `dropped ${dropped} lines: they could not be recorded`, err),
  });

  let killedAtDeadline = false;
  let killing: Promise<void> | undefined;
  const killAtDeadline = async () => {
    try {
      await container.kill();
      killedAtDeadline = true;
    } catch (err) {
      if (!isAlreadyInState(err) && !isNoSuchContainer(err)) fail('deadline', 'could not kill at deadline', err);
    }
  };

  /** Past the log cap nothing more is stored: the rest of the log is not read at all. */
  const logFull = () => o.events.logFull?.(key) === true;

  /** Waits, without reading its log, until the container has stopped (or the follow is aborted). */
  const untilStopped = async (): Promise<Stopped | 'aborted'> => {
    for (;;) {
      const info = await container.inspect();
      if (!info.State.Running) return { info, outputs: collectOutputs() };
      await delay(StoppedPollMs, signal);
      if (signal.aborted) return 'aborted';
    }
  };

  /**
   * Follows the log until the container has stopped. The moment it has, `out/` starts downloading
   * alongside the last plain log read, and the inspection that showed it stopped is kept (it holds
   * the final exit code), so the exit costs no further engine calls.
   */
  const followToEnd = async (): Promise<Stopped | 'aborted'> => {
    let resumeFrom = o.resumeFrom;
    let failures = 0;
    for (;;) {
      try {
        const { aborted, leftUnread, assembler } = await followLogs({
          container,
          resumeFrom,
          signal,
          onLines: (l) => pump.push(l),
          room: () => pump.room(),
          enough: logFull,
        });
        if (aborted) return 'aborted';
        // A job past its log cap ends as soon as its container does, whatever it still prints.
        if (leftUnread) return await untilStopped();
        const info = await container.inspect();
        if (!info.State.Running) {
          const outputs = collectOutputs();
          // A following read can end before the engine stored the very last (unterminated)
          // entry; one more read of the stopped container from the position reached picks up
          // whatever it missed.
          const rest = await followLogs({
            container,
            resumeFrom: assembler.cursor,
            signal,
            onLines: (l) => pump.push(l),
            room: () => pump.room(),
            enough: logFull,
          });
          if (rest.aborted) return 'aborted';
          pump.push(rest.assembler.flush());
          return { info, outputs };
        }
        // Unfinished lines are dropped here and read again from the cursor.
        resumeFrom = assembler.cursor;
        failures = 0;
      } catch (err) {
        if (signal.aborted) return 'aborted';
        if (isNoSuchContainer(err)) throw err;
        if (++failures >= FollowAttempts) throw err;
      }
      await delay(RefollowDelayMs * 2 ** failures, signal);
    }
  };

  /** `out/` as the script left it; never throws: a failed read reports the exit without outputs. */
  const collectOutputs = async (): Promise<WorkspaceReadBack> => {
    try {
      return await readWorkspaceOutputs(container, { signal, timeoutMs: o.outputsTimeoutMs });
    } catch (err) {
      if (!signal.aborted) fail('outputs', 'could not read back out/; exit reported without outputs', err);
      return {};
    }
  };

  const report = async (exit: ExitReport) => {
    await pump.drain();
    if (signal.aborted) return;
    try {
      await o.events.exited(key, exit);
    } catch (err) {
      if (!signal.aborted) fail('exited', 'the exit could not be recorded; container kept for a later reattach', err);
      return;
    }
    try {
      await container.remove({ force: true, v: true });
    } catch (err) {
      if (!isNoSuchContainer(err) && !isAlreadyInState(err)) fail('remove', 'could not remove container', err);
    }
  };

  const run = async () => {
    if (o.expiredBeforeStart) {
      await report({ exitCode: KilledExitCode, oomKilled: false, timedOut: true });
      return;
    }
    const disarm = armDeadline(o.job.deadlineAt, () => {
      killing = killAtDeadline();
    });
    try {
      const stopped = await followToEnd();
      if (stopped === 'aborted') return;
      // An exited container's inspection is final; anything else (e.g. still being torn down) is waited for.
      let info = stopped.info;
      if (info.State.Status !== 'exited' && info.State.Status !== 'dead') {
        await container.wait();
        info = await container.inspect();
      }
      disarm();
      // The log can end before the kill's own response arrives; its outcome decides timedOut.
      await killing;
      const exit = toExitReport(info, { killedAtDeadline, deadlineAt: o.job.deadlineAt });
      // Read before the report: a reported container is removed, and its volume with it.
      // `failure` is disk_full when out/ was full at the exit.
      await report({ ...exit, ...(await stopped.outputs) });
    } finally {
      disarm();
    }
  };

  const done = run().catch((err: unknown) => {
    if (signal.aborted) return;
    fail('follow', isNoSuchContainer(err) ? 'container vanished while followed' : 'following failed', err);
  });

  return {
    done,
    async close() {
      abort.abort();
      await done;
      // An output call already in flight still lands; only then is nothing more coming.
      await pump.drain();
    },
  };
};
