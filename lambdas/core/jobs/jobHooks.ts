import type { CoreDeps } from '../deps';
import type { Job, JobStatus } from '../model';
import { createNotifier } from '../notifications/createNotifier';
import { jobMetricsHook } from '../metrics/jobMetricsHook';
import { createStatsHook } from '../stats/statsHook';
import { createWorkflowStepHook } from '../workflows/workflowStepHook';
import { createQueuedCountHook } from './queuedCountHook';

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

/**
 * The hooks of one runtime, built from its ports alone (reports build their lifecycle without a
 * control plane). Each feature that follows job changes adds its hook here.
 */
export const createJobHooks = (deps: Omit<CoreDeps, 'launcher'>): JobHooks => {
  // The workflow hook submits next steps, whose submission runs these same hooks.
  const all: JobHooks = (job, from) => hooks(job, from);
  const hooks = runHooks(
    [
      ...(deps.metrics ? [jobMetricsHook(deps.metrics)] : []),
      createWorkflowStepHook(deps, all),
      createStatsHook(deps),
      createQueuedCountHook(deps),
      ...(deps.tools ? [createNotifier({ ...deps, tools: deps.tools }).hook] : []),
    ],
    deps.logger,
  );
  return all;
};

export const noHooks: JobHooks = async () => {};
