import type { CoreDeps } from '../deps';
import { NotFoundError } from '../errors';
import type { Caller, Job, JobKey } from '../model';
import { logMessage, statusMessage } from './messages';

const PAGE = 500;

/** Fans a job's log and status out to its WebSocket subscribers. */
export interface LiveFeed {
  /**
   * Subscribes a connection to a job: replays stored lines after `afterSeq`, then live ones.
   * @throws NotFoundError when the job is not the caller's (another tenant's job looks missing).
   */
  subscribe(caller: Caller, connectionId: string, jobId: string, afterSeq: number): Promise<void>;
  /** Sends every subscriber the stored lines it has not been sent yet. */
  deliver(key: JobKey): Promise<void>;
  /** Sends every subscriber the job's current status. */
  notifyStatus(job: Job, lastSeq?: number): Promise<void>;
}

/**
 * Each subscription carries `sentSeq` and a send lease. Whoever holds the lease sends the stored lines
 * after `sentSeq` in order, then releases it and looks again: a writer that stored lines and found the
 * lease taken can rely on the holder's second look. So replay and live delivery, even from different
 * processes, meet with no gap, no duplicate and no reordering.
 */
export const createLiveFeed = ({
  store,
  broadcaster,
  clock,
  config,
  logger,
}: Pick<CoreDeps, 'store' | 'broadcaster' | 'clock' | 'config' | 'logger'>): LiveFeed => {
  const { connections, logs } = store;

  const drop = async (key: JobKey, connectionId: string) => {
    await connections.deleteSubscription(key, connectionId);
  };

  /** Sends what is pending under the lease. `busy`: another sender holds it and will look again. */
  const sendPending = async (key: JobKey, connectionId: string): Promise<'busy' | 'gone' | number> => {
    const locked = await connections.lockSubscription(key, connectionId, clock.now(), config.subscriptionLeaseMs);
    if (!locked) return 'busy';
    let sent = locked.sentSeq;
    try {
      for (;;) {
        const lines = await logs.read(key, sent, PAGE);
        if (lines.length === 0) return sent;
        for (const line of lines) {
          if (!(await broadcaster.send(connectionId, logMessage(key.jobId, line)))) return 'gone';
          sent = line.seq;
        }
      }
    } finally {
      await connections.unlockSubscription(key, connectionId, sent);
    }
  };

  const pump = async (key: JobKey, connectionId: string): Promise<void> => {
    for (;;) {
      const sent = await sendPending(key, connectionId);
      if (sent === 'gone') return drop(key, connectionId);
      if (sent === 'busy') return;
      // The second look: lines stored while we held the lease were left to us.
      if ((await logs.tail(key)).lastSeq <= sent) return;
    }
  };

  const forEachSubscriber = async (key: JobKey, fn: (connectionId: string) => Promise<void>) => {
    const subs = await connections.listSubscriptions(key);
    await Promise.all(
      subs.map((s) =>
        fn(s.connectionId).catch((err: unknown) =>
          logger.warn({ err, jobId: key.jobId, connectionId: s.connectionId }, 'live delivery failed'),
        ),
      ),
    );
  };

  return {
    async subscribe(caller, connectionId, jobId, afterSeq) {
      const key = { tenant: caller.tenant, jobId };
      const job = await store.jobs.get(key);
      if (!job) throw new NotFoundError('job', jobId);
      const sentSeq = Math.max(0, Math.floor(afterSeq));
      await connections.putSubscription({ connectionId, tenant: caller.tenant, jobId, sentSeq });
      const { lastSeq } = await logs.tail(key);
      if (!(await broadcaster.send(connectionId, statusMessage(job, lastSeq)))) return drop(key, connectionId);
      await pump(key, connectionId);
    },

    deliver: (key) => forEachSubscriber(key, (connectionId) => pump(key, connectionId)),

    notifyStatus: (job, lastSeq) =>
      forEachSubscriber({ tenant: job.tenant, jobId: job.id }, async (connectionId) => {
        const message = statusMessage(job, lastSeq);
        if (!(await broadcaster.send(connectionId, message))) await drop({ tenant: job.tenant, jobId: job.id }, connectionId);
      }),
  };
};
