import type { CoreDeps } from '../deps';
import type { Subscription } from '../ports';
import { NotFoundError } from '../errors';
import type { Caller, Job, JobKey, LogLine } from '../model';
import { isTerminal } from '../model';
import { laggingMessage, logsMessage, statusMessage, type LiveMessage, type LogsMessage } from './messages';
import { packFrames } from './packFrames';
import { createRecentLines, type RecentLines } from './recentLines';

/** Stored lines read at once for one subscriber. */
const PAGE = 2_000;
/** Subscribers of one job served at once by one pass; the rest wait their turn. */
const FANOUT = 16;
/**
 * How long a subscribe keeps making passes for senders that asked meanwhile (a job printing fast
 * asks all the time) before it leaves the rest to run in the background: the connection's next
 * message waits for this handler.
 */
const SUBSCRIBE_HOLD_MS = 5_000;

/** Fans a job's log and status out to its WebSocket subscribers. */
export interface LiveFeed {
  /**
   * Subscribes a connection to a job: replays stored lines after `afterSeq`, then live ones.
   * @throws NotFoundError when the job is not the caller's (another tenant's job looks missing).
   */
  subscribe(caller: Caller, connectionId: string, jobId: string, afterSeq: number): Promise<void>;
  /**
   * Sends every subscriber the stored lines it has not been sent yet. `stored`: the lines the caller
   * just stored (consecutive), which subscribers at their start get without a store read.
   */
  deliver(key: JobKey, stored?: readonly LogLine[]): Promise<void>;
  /** Keeps lines just stored for the next delivery (what `deliver(key, stored)` does first). */
  remember(key: JobKey, stored: readonly LogLine[]): void;
  /** Sends every subscriber the job's current status; `job` as its transition stored it (one never watched has none to look for). */
  notifyStatus(job: Job, lastSeq?: number): Promise<void>;
}

/** One frame ready to push; `lastSeq` is the seq of its last line. */
interface Frame {
  message: LogsMessage;
  lastSeq: number;
}

/**
 * The frames that carry the readable lines after `afterSeq`, in order (none when there are none);
 * `more` when the store may hold further lines past them (a full page).
 */
interface Page {
  frames: Frame[];
  more: boolean;
}

type ReadFrames = (afterSeq: number) => Promise<Page>;

/** How serving one subscriber during a pass ended. */
type Served = { kind: 'gone' } | { kind: 'lagging'; sentSeq: number } | { kind: 'sent'; sentSeq: number };

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
const eachLimited = async <T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * One send lease per job covers all its subscribers. Whoever stores lines (or subscribes) takes it and,
 * in one pass, sends each subscriber the stored lines after its `sentSeq`, in order; the release records
 * every subscriber's new `sentSeq` at once. A sender that finds the lease taken leaves its mark in the
 * lease, and the holder, seeing it at release, makes another pass. So a pass costs the same few store
 * requests whatever the number of subscribers, and replay and live delivery, even from different
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
  recent = createRecentLines(),
}: Pick<CoreDeps, 'store' | 'broadcaster' | 'clock' | 'config' | 'logger'> & { recent?: RecentLines }): LiveFeed => {
  const { connections, logs } = store;

  const drop = async (key: JobKey, connectionId: string) => {
    await connections.deleteSubscription(key, connectionId);
  };

  /** Tells a client whose subscription was closed for lagging where it stands. */
  const tellLagging = async (key: JobKey, connectionId: string, sentSeq: number) => {
    logger.info({ jobId: key.jobId, connectionId, sentSeq }, 'subscriber too slow: subscription closed');
    // Best effort: a client that misses it still learns the end of the job from REST.
    const outcome = await broadcaster.send(connectionId, laggingMessage(key.jobId, sentSeq));
    if (outcome !== 'sent') logger.info({ jobId: key.jobId, connectionId, outcome }, 'lagging notice not delivered');
  };

  /** Closes a subscription outside a pass (its status push was refused) and tells the client. */
  const shed = async (key: JobKey, connectionId: string, sentSeq: number) => {
    await connections.deleteSubscription(key, connectionId);
    await tellLagging(key, connectionId, sentSeq);
  };

  const push = (connectionId: string, message: LiveMessage) => broadcaster.send(connectionId, message);

  /** Sends one subscriber, under the job's lease, every readable line it has not been sent. */
  const serve = async (s: Subscription, read: ReadFrames, sent: Map<string, number>): Promise<Served> => {
    let sentSeq = s.sentSeq;
    for (;;) {
      const { frames, more } = await read(sentSeq);
      for (const frame of frames) {
        const outcome = await push(s.connectionId, frame.message);
        if (outcome === 'gone') return { kind: 'gone' };
        if (outcome === 'throttled') return { kind: 'lagging', sentSeq };
        sentSeq = frame.lastSeq;
        // Recorded as it goes, so a push that throws later still keeps what went out.
        sent.set(s.connectionId, sentSeq);
      }
      // Lines stored after this read are not missed: their writer asks for the lease, which makes
      // the holder pass again after its release; lines behind a hole wait for their writer's pass.
      if (!more || frames.length === 0) return { kind: 'sent', sentSeq };
    }
  };

  /**
   * Subscribers of one job mostly stand at the same `sentSeq`: within one pass they share each page
   * read, and each frame's message (one object, so a broadcaster may serialize it once). An empty
   * page is never shared, so a later look always reads the store afresh.
   *
   * With `fromMemory`, lines this process just stored come from memory ({@link RecentLines}) and a
   * subscriber past the newest of them has nothing more: lines another process stored meanwhile
   * come with its lease ask, and the pass made for an ask reads the store. Subscribers behind the
   * remembered lines read the store (the replay path).
   */
  const sharedReads = (key: JobKey, fromMemory: boolean): ReadFrames => {
    const pages = new Map<number, Promise<Page>>();
    const framesOf = (lines: LogLine[]) =>
      packFrames(lines).map((packed) => ({ message: logsMessage(key.jobId, packed), lastSeq: packed.at(-1)!.seq }));
    const framesAfter = async (afterSeq: number): Promise<Page> => {
      const held = fromMemory ? recent.after(key, afterSeq, PAGE) : undefined;
      if (held) return { frames: framesOf(held.lines), more: held.more };
      const read = await logs.read(key, afterSeq, PAGE);
      const lines = contiguousAfter(afterSeq, read);
      return { frames: framesOf(lines), more: read.length === PAGE && lines.length === read.length };
    };
    return (afterSeq) => {
      let page = pages.get(afterSeq);
      if (!page) {
        page = framesAfter(afterSeq);
        pages.set(afterSeq, page);
        page.then(
          ({ frames }) => frames.length === 0 && pages.delete(afterSeq),
          () => pages.delete(afterSeq),
        );
      }
      return page;
    };
  };

  /** One pass under the job's lease. @returns whether to look again (false when another sender holds the lease). */
  const pass = async (key: JobKey, fromMemory = false): Promise<boolean> => {
    const lease = await connections.takeSendLease(key, clock.now(), config.subscriptionLeaseMs);
    if (!lease) return false;
    const sent = new Map<string, number>();
    const closed: string[] = [];
    const lagging: { connectionId: string; sentSeq: number }[] = [];
    let again: boolean;
    try {
      const read = sharedReads(key, fromMemory);
      await eachLimited(lease.subscriptions, FANOUT, async (s) => {
        try {
          const served = await serve(s, read, sent);
          if (served.kind === 'gone') closed.push(s.connectionId);
          if (served.kind === 'lagging') {
            closed.push(s.connectionId);
            lagging.push({ connectionId: s.connectionId, sentSeq: served.sentSeq });
          }
        } catch (err) {
          logger.warn({ err, jobId: key.jobId, connectionId: s.connectionId }, 'live delivery failed');
        }
      });
    } finally {
      // Lagging subscriptions are closed by this release, before their notice, so a client that
      // resubscribes at once is not closed again by it.
      again = await connections.releaseSendLease(key, lease, { sent, closed });
    }
    await eachLimited(lagging, FANOUT, ({ connectionId, sentSeq }) => tellLagging(key, connectionId, sentSeq));
    return again;
  };

  const remember = (key: JobKey, stored: readonly LogLine[]) => recent.add(key, stored);

  /**
   * Passes until no other sender asked for the lease during the last one. The first pass serves
   * what this process stored from memory; a pass made because another sender asked reads the store.
   */
  const deliver = async (key: JobKey, stored?: readonly LogLine[]): Promise<void> => {
    if (stored) remember(key, stored);
    if (!(await pass(key, true))) return;
    while (await pass(key));
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
      const sentSeq = Math.max(0, Math.floor(afterSeq));
      // The subscription first, then the mark, whose write returns the job as it stands: a
      // transition written before the mark is in the status sent below, and one written after it
      // sees the mark and lists subscribers after its own write, so it finds this one.
      await connections.putSubscription({ connectionId, tenant: caller.tenant, jobId, sentSeq });
      const job = await store.jobs.watch(key);
      if (!job) {
        await connections.deleteSubscription(key, connectionId);
        throw new NotFoundError('job', jobId);
      }
      const { lastSeq } = await logs.tail(key);
      const outcome = await push(connectionId, statusMessage(job, lastSeq));
      if (outcome === 'gone') return drop(key, connectionId);
      if (outcome === 'throttled') return shed(key, connectionId, sentSeq);
      const started = clock.now();
      while (await pass(key)) {
        if (clock.now() - started > SUBSCRIBE_HOLD_MS) {
          void deliver(key).catch((err: unknown) => logger.warn({ err, jobId }, 'live delivery failed'));
          return;
        }
      }
    },

    deliver,
    remember,

    notifyStatus: (job, lastSeq) => {
      const key = { tenant: job.tenant, jobId: job.id };
      if (isTerminal(job.status)) recent.forget(key);
      // Nobody ever subscribed (the job as its transition wrote it says so): no subscription read.
      if (!job.watched) return Promise.resolve();
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
