import type { CoreDeps } from '../deps';
import type { ScheduleTickReport } from '../schedules/createScheduleFiring';
import type { Lifecycle } from './createLifecycle';
import { createEndDeadLettered } from './createEndDeadLettered';
import { createTick } from './createTick';

/** The use cases that keep jobs from staying active forever: the tick and the dead-letter consumer's. */
export const createReaper = (deps: CoreDeps, lifecycle: Lifecycle, fireSchedules?: () => Promise<ScheduleTickReport>) => ({
  /** The periodic tick (see createTick). */
  tick: createTick(deps, lifecycle, fireSchedules),
  /** Ends a job whose queue message was dead-lettered (see createEndDeadLettered). */
  endDeadLettered: createEndDeadLettered(lifecycle),
});
