import type { CoreDeps } from '../deps';
import { createNotifier } from '../notifications/createNotifier';
import { jobMetricsHook } from '../metrics/jobMetricsHook';
import { createStatsHook } from '../stats/statsHook';
import { createWorkflowStepHook } from '../workflows/workflowStepHook';
import { createQueuedCountHook } from './queuedCountHook';
import { runHooks, type JobHooks } from './jobHook';

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
