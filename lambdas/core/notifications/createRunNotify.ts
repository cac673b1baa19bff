import type { CoreDeps } from '../deps';
import type { WorkflowRun } from '../workflows/workflowModel';
import { createNotifier } from './createNotifier';
import type { NotifyOn } from './notificationModel';

/** Records the notifications of a workflow run's moment; never rejects. */
export type RunNotify = (run: WorkflowRun, on: NotifyOn) => Promise<void>;

/**
 * A run's notify rules, followed where a run starts or ends (the advancer, cancel, retry). A
 * runtime without tool actions notifies nothing; a notification that cannot be recorded is logged,
 * never thrown at the run.
 */
export const createRunNotify = (deps: Pick<CoreDeps, 'store' | 'cipher' | 'ids' | 'clock' | 'logger' | 'tools'>): RunNotify => {
  const { tools, logger } = deps;
  if (!tools) return async () => {};
  const notifier = createNotifier({ ...deps, tools });
  return async (run, on) => {
    try {
      await notifier.runChanged(run, on);
    } catch (err) {
      logger.warn({ err, tenant: run.tenant, workflowRunId: run.id, on }, 'the notifications of a workflow run could not be recorded');
    }
  };
};
