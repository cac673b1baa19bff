import type { CoreDeps } from '../deps';
import type { Lifecycle } from './createLifecycle';
import { createEndDeadLettered } from './createEndDeadLettered';
import { createTick } from './createTick';

/** The use cases that keep jobs from staying active forever: the tick and the dead-letter consumer's. */
export const createReaper = (deps: CoreDeps, lifecycle: Lifecycle) => ({
  /** The periodic tick (see createTick). */
  tick: createTick(deps, lifecycle),
  /** Ends a job whose queue message was dead-lettered (see createEndDeadLettered). */
  endDeadLettered: createEndDeadLettered(lifecycle),
});
