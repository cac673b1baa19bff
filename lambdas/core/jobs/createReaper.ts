import type { CoreDeps } from '../deps';
import { createNotifier } from '../notifications/createNotifier';
import type { ScheduleTickReport } from '../schedules/createScheduleFiring';
import type { Lifecycle } from './createLifecycle';
import { createEndDeadLettered } from './createEndDeadLettered';
import { createTick, type TickReport } from './createTick';

/** Adds the retry of due notifications to a tick; `notificationsRetried` counts them. */
const withNotificationRetries =
  (tick: ReturnType<typeof createTick>, retryDue?: () => Promise<number>) =>
  async (): Promise<TickReport & { notificationsRetried?: number }> => {
    const report = await tick();
    return retryDue ? { ...report, notificationsRetried: await retryDue() } : report;
  };

/** The use cases that keep jobs from staying active forever: the tick and the dead-letter consumer's. */
export const createReaper = (
  deps: CoreDeps,
  lifecycle: Lifecycle,
  fireSchedules?: () => Promise<ScheduleTickReport>,
  advanceWorkflows?: () => Promise<number>,
) => ({
  /** The periodic tick (see createTick), then the notifications due for another attempt. */
  tick: withNotificationRetries(
    createTick(deps, lifecycle, fireSchedules, advanceWorkflows),
    deps.tools ? createNotifier({ ...deps, tools: deps.tools }).retryDue : undefined,
  ),
  /** Ends a job whose queue message was dead-lettered (see createEndDeadLettered). */
  endDeadLettered: createEndDeadLettered(lifecycle),
});
