import type { JobKey } from '../../../lambdas/core/model';
import type { JobQueue } from '../../../lambdas/core/ports';

export interface QueuedMessage {
  key: JobKey;
  delaySeconds?: number;
}

/** A JobQueue that only records what was sent; tests deliver messages themselves. */
export interface MemoryQueue extends JobQueue {
  /** Every message enqueued so far, oldest first (copies). */
  readonly messages: readonly QueuedMessage[];
  /** Removes and returns the pending messages, oldest first. */
  take(): QueuedMessage[];
}

export const createMemoryQueue = (): MemoryQueue => {
  let pending: QueuedMessage[] = [];
  return {
    async enqueue(key, opts = {}) {
      pending.push({
        key: { tenant: key.tenant, jobId: key.jobId },
        ...(opts.delaySeconds !== undefined ? { delaySeconds: opts.delaySeconds } : {}),
      });
    },
    get messages() {
      return pending.map((m) => structuredClone(m));
    },
    take() {
      const taken = pending;
      pending = [];
      return taken;
    },
  };
};
