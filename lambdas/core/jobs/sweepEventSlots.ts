import type { CoreDeps } from '../deps';
import type { Job, JobKey } from '../model';
import type { SlotPool } from '../ports';
import type { Lifecycle } from './createLifecycle';

/** Runs waiting for an event's slot read per sweep: the safety net looks at the head of the line only. */
const WAITING_READ = 100;

const poolKey = (p: SlotPool) => `${p.tenant}\u0000${p.eventId}`;

/**
 * The tick's safety net for events' own limits, as for the global slots: frees event slots whose
 * holder ended (or, after a restart, is queued: no dispatcher is between taking and claiming then),
 * then offers each event with waiting runs one run per free slot of its limit. A job end does both
 * itself; this finds what a crash or the index's lag left behind.
 */
export const createEventSlotSweep =
  ({ store }: Pick<CoreDeps, 'store'>, lifecycle: Lifecycle) =>
  async (afterRestart: boolean): Promise<{ freed: number; offered: number }> => {
    let freed = 0;
    const heldByPool = new Map<string, number>();
    const needsSlot = (job: Job | undefined) =>
      job !== undefined && (job.status === 'claimed' || job.status === 'running' || (job.status === 'queued' && !afterRestart));
    for (const { pool, slot, holder } of await store.slots.heldByEvents()) {
      const job = await store.jobs.get(holder);
      if (needsSlot(job)) {
        heldByPool.set(poolKey(pool), (heldByPool.get(poolKey(pool)) ?? 0) + 1);
        continue;
      }
      await release(pool, slot, holder);
      freed++;
    }

    let offered = 0;
    const seen = new Set<string>();
    for (const job of await store.jobs.waitingForEvents(WAITING_READ)) {
      if (job.eventId === undefined || !job.concurrency) continue;
      const pool = { tenant: job.tenant, eventId: job.eventId };
      if (seen.has(poolKey(pool))) continue;
      seen.add(poolKey(pool));
      const free = job.concurrency.max - (heldByPool.get(poolKey(pool)) ?? 0);
      if (free > 0) offered += await lifecycle.offerWaiting(free, pool);
    }
    return { freed, offered };

    async function release(pool: SlotPool, slot: number, holder: JobKey) {
      await store.slots.release(slot, holder, pool);
    }
  };
