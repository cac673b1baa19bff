import type { CoreDeps } from '../deps';
import type { Job, JobStatus } from '../model';

/**
 * Work that follows a job's change of status, kept out of the transitions themselves: a workflow's
 * next step, statistics, notifications, metrics. A hook runs after the change is stored; it never
 * fails or undoes the change, so whatever must not be lost when a hook fails (a workflow's next step)
 * is also found again by the tick.
 */
export interface JobHook {
  /** Names the hook in the log line written when it fails. */
  readonly name: string;
  /** `job` as stored after the change; `from` is absent when the job was just submitted. */
  changed(job: Job, from: JobStatus | undefined): Promise<void>;
}

/** Calls every hook of a change; one that throws is logged and does not stop the others. */
export type JobHooks = (job: Job, from: JobStatus | undefined) => Promise<void>;

export const runHooks =
  (hooks: readonly JobHook[], logger: CoreDeps['logger']): JobHooks =>
  async (job, from) => {
    await Promise.all(
      hooks.map((hook) =>
        hook
          .changed(job, from)
          .catch((err: unknown) => logger.warn({ err, hook: hook.name, jobId: job.id, tenant: job.tenant }, 'a job hook failed')),
      ),
    );
  };

export const noHooks: JobHooks = async () => {};
