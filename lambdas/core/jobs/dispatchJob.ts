import type { CoreDeps } from '../deps';
import { ConflictError, ErrorCodes } from '../errors';
import type { Job, JobKey } from '../model';
import type { Lifecycle } from './createLifecycle';

export type DispatchOutcome = 'launched' | 'waiting' | 'skipped';

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Claims a queued job, takes a concurrency slot and launches it.
 * The claim comes first, so a message delivered twice launches once; only the claimer touches slots.
 * A job that finds every slot taken goes back to `queued` and is offered again later.
 * @throws on store or queue faults, so the message is retried.
 */
export const createDispatchJob = (
  { store, queue, launcher, clock, config, logger }: Pick<CoreDeps, 'store' | 'queue' | 'launcher' | 'clock' | 'config' | 'logger'>,
  lifecycle: Lifecycle,
) => {
  const acquireSlot = async (key: JobKey): Promise<number | undefined> => {
    for (let slot = 0; slot < config.maxConcurrent; slot++) {
      if (await store.slots.acquire(slot, key)) return slot;
    }
    return undefined;
  };

  const tryAdvance = async (...args: Parameters<Lifecycle['advance']>): Promise<Job | undefined> => {
    try {
      return await lifecycle.advance(...args);
    } catch (err) {
      if (err instanceof ConflictError) return undefined;
      throw err;
    }
  };

  const launchFailed = (key: JobKey, err: unknown) =>
    lifecycle.end(key, { status: 'failed', error: { code: ErrorCodes.launchFailed, message: describe(err) } });

  return async (key: JobKey): Promise<DispatchOutcome> => {
    const queued = await store.jobs.get(key);
    if (queued?.status !== 'queued') return 'skipped';
    const claimed = await tryAdvance(queued, 'claimed', { claimedAt: new Date(clock.now()).toISOString() });
    if (!claimed) return 'skipped';

    const slot = await acquireSlot(key);
    if (slot === undefined) {
      const requeued = await tryAdvance(claimed, 'queued', { claimedAt: undefined });
      if (requeued) await queue.enqueue(key, { delaySeconds: config.slotRetrySeconds });
      return 'waiting';
    }

    let ref: string;
    try {
      ref = await launcher.create(claimed);
    } catch (err) {
      logger.warn({ err, jobId: key.jobId }, 'launch failed');
      await store.slots.release(slot, key);
      await launchFailed(key, err);
      return 'skipped';
    }

    const now = clock.now();
    const running = await tryAdvance(claimed, 'running', {
      startedAt: new Date(now).toISOString(),
      deadlineAt: now + claimed.timeoutSeconds * 1000,
      executionRef: ref,
      slot,
    });
    if (!running) {
      // Cancelled while we were creating the container.
      await launcher.stop(ref);
      await lifecycle.releaseSlot(slot, key);
      return 'skipped';
    }

    try {
      await launcher.start(ref, running);
    } catch (err) {
      logger.warn({ err, jobId: key.jobId }, 'start failed');
      await launcher.stop(ref).catch(() => undefined);
      await launchFailed(key, err);
      return 'skipped';
    }
    return 'launched';
  };
};
