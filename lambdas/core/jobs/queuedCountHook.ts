import type { CoreDeps } from '../deps';
import type { JobHook } from './jobHook';

/**
 * Keeps each tenant's count of queued jobs (the cap of submitJob) as jobs move: -1 when a job leaves
 * `queued`, +1 when it comes back (a retry, a requeued claim, a launch refused for now). The
 * submission counted itself already. A lost update is corrected by the tick's recount.
 */
export const createQueuedCountHook = ({ store }: Pick<CoreDeps, 'store'>): JobHook => ({
  name: 'queued-count',
  async changed(job, from) {
    if (from === undefined || (from === 'queued') === (job.status === 'queued')) return;
    await store.queued.add(job.tenant, job.status === 'queued' ? 1 : -1);
  },
});

/**
 * Sets every counted tenant's count to its queued jobs as the index lists them: the safety net for
 * a hook that failed or a process that died between a change and its count. A count is only
 * re-read where one exists, so tenants that never queued cost nothing.
 * @returns how many counts changed.
 */
export const recountQueued = async ({ store }: Pick<CoreDeps, 'store'>): Promise<number> => {
  let changed = 0;
  for (const { tenant, count } of await store.queued.list()) {
    const actual = await store.jobs.countQueued(tenant);
    if (actual !== count) {
      await store.queued.set(tenant, actual);
      changed++;
    }
  }
  return changed;
};
