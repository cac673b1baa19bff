import type { CoreDeps } from '../deps';
import type { Subscription } from '../ports';
import { NotFoundError } from '../errors';
import type { Caller, Job, JobKey, LogLine } from '../model';
import { laggingMessage, logsMessage, statusMessage, type LiveMessage } from './messages';
import { packFrames } from './packFrames';

/** Stored lines read at once for one subscriber. */
const PAGE = 2_000;
/** Subscribers of one job served at once by one call; the rest wait their turn. */
const FANOUT = 16;

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

type ReadPage = (afterSeq: number) => Promise<LogLine[]>;

/** What one turn under the lease ended with. */
type Turn = { kind: 'busy' } | { kind: 'gone' } | { kind: 'lagging'; sentSeq: number } | { kind: 'sent'; sentSeq: number };

/**
 * The lines that follow `sentSeq` without a hole. A batch stored later can become readable before an
 * earlier one (writers racing); sending past the hole would skip its lines for good.
 */
const contiguousAfter = (sentSeq: number, lines: LogLine[]): LogLine[] => {
  let end = 0;
  while (end < lines.length && lines[end]!.seq === sentSeq + end + 1) end++;
  return end === lines.length ? lines : lines.slice(0, end);
};

/** Runs `fn` over `items` with at most `limit` running at once. */
const eachLimited = async <T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * Each subscription carries `sentSeq` and a send lease. Whoever holds the lease sends the stored lines
 * after `sentSeq` in order, then releases it and looks again: a writer that stored lines and found the
 * lease taken can rely on the holder's second look. So replay and live delivery, even from different
 * processes, meet with no gap, no duplicate and no reordering.
 *
 * Lines go out many to a frame ({@link packFrames}). A connection that cannot take more (`throttled`:
 * its client reads too slowly) loses its subscription and is told `{type:"lagging", sentSeq}`, so it
 * never holds back the job or the other subscribers; it resumes with `subscribe afterSeq`.
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

  /** Closes a subscription whose connection cannot keep up and tells the client where it stands. */
  const shed = async (key: JobKey, connectionId: string, sentSeq: number) => {
    await connections.deleteSubscription(key, connectionId);
    logger.info({ jobId: key.jobId, connectionId, sentSeq }, 'subscriber too slow: subscription closed');
    // Best effort: a client that misses it still learns the end of the job from REST.
    const outcome = await broadcaster.send(connectionId, laggingMessage(key.jobId, sentSeq));
    if (outcome !== 'sent') logger.info({ jobId: key.jobId, connectionId, outcome }, 'lagging notice not delivered');
  };

  const push = (connectionId: string, message: LiveMessage) => broadcaster.send(connectionId, message);

  /** Sends what is pending under the lease. `busy`: another sender holds it and will look again. */
  const sendPending = async (key: JobKey, connectionId: string, read: ReadPage): Promise<Turn> => {
    const locked = await connections.lockSubscription(key, connectionId, clock.now(), config.subscriptionLeaseMs);
    if (!locked) return { kind: 'busy' };
    let sent = locked.sentSeq;
    let turn: Turn | undefined;
    try {
      while (!turn) {
        const lines = contiguousAfter(sent, await read(sent));
        if (lines.length === 0) {
          turn = { kind: 'sent', sentSeq: sent };
          break;
        }
        for (const frame of packFrames(lines)) {
          const outcome = await push(connectionId, logsMessage(key.jobId, frame));
          if (outcome === 'gone') turn = { kind: 'gone' };
          else if (outcome === 'throttled') turn = { kind: 'lagging', sentSeq: sent };
          else sent = frame.at(-1)!.seq;
          if (turn) break;
        }
      }
      return turn;
    } finally {
      // A gone or lagging subscription is deleted next, still under our lease, so no one sends past it.
      if (turn?.kind !== 'gone' && turn?.kind !== 'lagging') await connections.unlockSubscription(key, connectionId, sent);
    }
  };

  const pump = async (key: JobKey, connectionId: string, read: ReadPage): Promise<void> => {
    let before = -1;
    for (;;) {
      const turn = await sendPending(key, connectionId, read);
      if (turn.kind === 'gone') return drop(key, connectionId);
      if (turn.kind === 'lagging') return shed(key, connectionId, turn.sentSeq);
      if (turn.kind === 'busy') return;
      // No progress: the next line is not readable yet; whoever stores it delivers after.
      if (turn.sentSeq === before) return;
      before = turn.sentSeq;
      // The second look: lines stored while we held the lease were left to us.
      if ((await logs.tail(key)).lastSeq <= turn.sentSeq) return;
    }
  };

  /**
   * Subscribers of one job mostly stand at the same `sentSeq`: within one call they share each page
   * read. An empty page is never shared, so a later look always reads the store afresh.
   */
  const sharedReads = (key: JobKey): ReadPage => {
    const pages = new Map<number, Promise<LogLine[]>>();
    return (afterSeq) => {
      let page = pages.get(afterSeq);
      if (!page) {
        page = logs.read(key, afterSeq, PAGE);
        pages.set(afterSeq, page);
        page.then(
          (lines) => lines.length === 0 && pages.delete(afterSeq),
          () => pages.delete(afterSeq),
        );
      }
      return page;
    };
  };

  const forEachSubscriber = async (key: JobKey, fn: (s: Subscription) => Promise<void>) => {
    const subs = await connections.listSubscriptions(key);
    await eachLimited(subs, FANOUT, (s) =>
      fn(s).catch((err: unknown) => logger.warn({ err, jobId: key.jobId, connectionId: s.connectionId }, 'live delivery failed')),
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
      const outcome = await push(connectionId, statusMessage(job, lastSeq));
      if (outcome === 'gone') return drop(key, connectionId);
      if (outcome === 'throttled') return shed(key, connectionId, sentSeq);
      await pump(key, connectionId, (after) => logs.read(key, after, PAGE));
    },

    async deliver(key) {
      const read = sharedReads(key);
      await forEachSubscriber(key, (s) => pump(key, s.connectionId, read));
    },

    notifyStatus: (job, lastSeq) => {
      const key = { tenant: job.tenant, jobId: job.id };
      const message = statusMessage(job, lastSeq);
      return forEachSubscriber(key, async ({ connectionId, sentSeq }) => {
        const outcome = await push(connectionId, message);
        if (outcome === 'gone') await drop(key, connectionId);
        // sentSeq as listed, without the lease: the client resumes from its own last line anyway.
        if (outcome === 'throttled') await shed(key, connectionId, sentSeq);
      });
    },
  };
};
