import type { JobHook } from '../jobs/jobHook';
import type { CoreDeps } from '../deps';
import type { Job, TerminalStatus } from '../model';
import { isTerminal } from '../model';
import { statsEntryOf } from './statsModel';

const hasEnded = (job: Job): job is Job & { status: TerminalStatus } => isTerminal(job.status);

/**
 * Counts each job once, when it ends, into its tenant's (and its event's) hourly aggregates: one or
 * two single-item ADD updates, no read. A job ends once (the transition is a conditional write), so
 * it is counted once; a store failure here loses its count (the hook's failure is logged).
 */
export const createStatsHook = ({ store, clock }: Pick<CoreDeps, 'store' | 'clock'>): JobHook => ({
  name: 'stats',
  async changed(job, from) {
    if (!hasEnded(job) || (from !== undefined && isTerminal(from))) return;
    await store.stats.add(statsEntryOf(job, clock.now()));
  },
});
