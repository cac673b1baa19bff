import type { CoreDeps } from '../deps';
import type { ScheduleTickReport } from '../schedules/createScheduleFiring';
import type { Lifecycle } from './createLifecycle';
import type { ReconcileReport } from './createReconciler';
import { createReconciler } from './createReconciler';
import { recountQueued } from './queuedCountHook';

export interface TickReport extends ReconcileReport {
  /** Waiting jobs offered because slots were free (a job end normally offers them itself). */
  waitingOffered: number;
  /** What the schedules did (see createScheduleFiring). */
  schedules?: ScheduleTickReport;
  /** Running workflow runs advanced: a step end no hook followed (a crash in between) is picked up here. */
  workflowRuns?: number;
  /** Tenants whose count of queued jobs (the cap's) had drifted and was set again. */
  queuedRecounted: number;
}

/**
 * The periodic work both homes share (EventBridge `rate(1 minute)` on AWS, a timer on one machine,
 * the same handler): ends jobs past their deadline and jobs whose execution is gone, offers again
 * queued jobs whose message was lost, frees the slots of ended jobs, then offers waiting jobs one
 * free slot each. The last is a safety net: a job end offers the next waiting job itself, but the
 * waiting index is eventually consistent and a process may die between freeing a slot and offering it.
 */
export const createTick = (
  deps: Pick<CoreDeps, 'store' | 'queue' | 'launcher' | 'clock' | 'config' | 'logger'>,
  lifecycle: Lifecycle,
  fireSchedules?: () => Promise<ScheduleTickReport>,
  advanceWorkflows?: () => Promise<number>,
) => {
  const reconcile = createReconciler(deps, lifecycle);
  return async (): Promise<TickReport> => {
    // Schedules first: their fires are due to the second, the rest is housekeeping.
    const schedules = fireSchedules ? await fireSchedules() : undefined;
    const reconciled = await reconcile({ afterRestart: false });
    const free = deps.config.maxConcurrent - (await deps.store.slots.held()).length;
    const waitingOffered = await lifecycle.offerWaiting(free);
    const queuedRecounted = await recountQueued(deps).catch((err: unknown) => {
      deps.logger.warn({ err }, 'could not recount queued jobs');
      return 0;
    });
    const workflowRuns = advanceWorkflows ? await advanceWorkflows() : undefined;
    return {
      ...reconciled,
      waitingOffered,
      queuedRecounted,
      ...(schedules ? { schedules } : {}),
      ...(workflowRuns !== undefined ? { workflowRuns } : {}),
    };
  };
};
