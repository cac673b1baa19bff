import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionEvents, ExecutionLauncher, ExecutionRequest, Job, JobKey, Logger } from '../../core';
import { bareRequest, ErrorCodes, isTerminal, ValidationError } from '../../core';

export interface HandedJobDeps {
  getJob(key: JobKey): Promise<Job | undefined>;
  /** The launcher that runs the job in this process (http, tool, ssh). */
  launcher: Pick<ExecutionLauncher, 'create' | 'start' | 'stop'> & {
    /** Resolves once every execution of this process has ended and reported. */
    drain(): Promise<void>;
  };
  logger: Logger;
  /**
   * Builds the job's launch request (ControlPlane.prepareExecution: environment, workspace, server
   * credentials), which the hand-over does not carry. @default a bare request (http and tool jobs need no more)
   */
  prepare?: (job: Job) => Promise<ExecutionRequest>;
  /** Where a job whose request cannot be built is reported ended (the one report path). */
  events: Pick<ExecutionEvents, 'exited'>;
  /** How often the job's status is read while it runs, to see a cancel or a deadline. @default 1000 */
  pollMs?: number;
}

/** What became of one handed job. */
export type HandedJobOutcome = 'ran' | 'stopped' | 'not-running' | 'not-prepared';

/**
 * Runs a job the dispatcher handed to this invocation (createRunnerLauncher), in this process, to
 * its end. The job must be `running` (the dispatcher marks it so before it hands it over); an
 * invocation delivered twice, or after the job ended, finds it otherwise and does nothing. While it
 * runs, the job's status is read every `pollMs`: once it ended elsewhere (cancelled through the API,
 * timed out by the tick) the execution is stopped, since no other process can reach it.
 */
export const createRunHandedJob =
  ({ getJob, launcher, logger, prepare = async (job) => bareRequest(job), events, pollMs = 1000 }: HandedJobDeps) =>
  async (key: JobKey): Promise<HandedJobOutcome> => {
    const job = await getJob(key);
    if (job?.status !== 'running') {
      logger.warn({ jobId: key.jobId, tenant: key.tenant, status: job?.status }, 'handed a job that is not running: nothing to do');
      return 'not-running';
    }
    let request: ExecutionRequest;
    try {
      request = await prepare(job);
    } catch (err) {
      // Not retried: the invocation is not (a second one could run the job twice), so the job ends here.
      logger.warn({ err, jobId: key.jobId, tenant: key.tenant }, 'the handed job could not be prepared');
      const code = err instanceof ValidationError ? ErrorCodes.invalidInput : ErrorCodes.launchFailed;
      const message = err instanceof ValidationError ? err.message : 'its environment or servers could not be read';
      await events.exited(key, { exitCode: 255, oomKilled: false, timedOut: false, failure: { code, message } });
      return 'not-prepared';
    }
    const ref = await launcher.create(request);
    await launcher.start(ref, job);
    const ended = launcher.drain().then(() => true);
    while (!(await Promise.race([ended, sleep(pollMs).then(() => false)]))) {
      const now = await getJob(key);
      if (now === undefined || isTerminal(now.status)) {
        await launcher.stop(ref);
        await ended;
        return 'stopped';
      }
    }
    return 'ran';
  };
