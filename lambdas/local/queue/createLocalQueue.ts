import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../core/ports/runtime';
import { InvalidQueueParameterError, ReceiptHandleInvalidError } from './errors';
import type {
  DeadLetter,
  LocalQueue,
  MessageSnapshot,
  MessageState,
  QueueStats,
  ReceivedMessage,
  ReceiveOptions,
  RedrivePolicy,
  SendOptions,
} from './LocalQueue';

/** Limits of SQS standard queues that the local queue enforces too. */
export const LocalQueueLimits = {
  maxDelaySeconds: 900,
  maxVisibilitySeconds: 43_200,
  maxBodyBytes: 1_048_576,
  maxReceiveCount: 1000,
} as const;

/** Options of {@link createLocalQueue}. */
export interface LocalQueueOptions {
  /** Name used in logs and snapshots. @default 'queue' */
  name?: string;
  /** Default visibility timeout of a receive, in ms (SQS's queue attribute is in seconds). @default 30_000 */
  visibilityTimeoutMs?: number;
  redrivePolicy?: RedrivePolicy;
  /** @default Date.now */
  clock?: Clock;
  /** Reported as the `SenderId` attribute. @default 'cronium-local' */
  senderId?: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  senderId: string;
  sentTimestamp: number;
  /** Tie-breaker that keeps send order among messages visible at the same ms. */
  seq: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  receiptHandle?: string;
}

const systemClock: Clock = { now: () => Date.now() };

const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * Creates an in-memory queue with SQS standard-queue semantics: send delays, visibility timeouts,
 * receive counts, fresh receipt handles per receive, and a redrive policy to a dead-letter queue.
 *
 * Differences from SQS, on purpose: a receive returns messages ordered by the time they became
 * visible, then by send order, and never returns a message that is in flight (a standard queue
 * promises neither order nor at-most-once receipt, so consumers must not rely on either); times
 * are in ms and delays may be fractional; there is no retention period, no message attributes,
 * no 12-hour cap on total visibility, and a receive never waits (the poller does the waiting).
 *
 * @throws InvalidQueueParameterError when the options are out of SQS's ranges.
 * @example
 * const dlq = createLocalQueue({ name: 'jobs-dlq' });
 * const queue = createLocalQueue({ name: 'jobs', redrivePolicy: { deadLetterQueue: dlq, maxReceiveCount: 5 } });
 * queue.send('{"tenant":"t1","jobId":"j1"}', { delaySeconds: 10 });
 */
export const createLocalQueue = (opts: LocalQueueOptions = {}): LocalQueue => {
  const name = opts.name ?? 'queue';
  const clock = opts.clock ?? systemClock;
  const senderId = opts.senderId ?? 'cronium-local';
  const defaultVisibilityMs = opts.visibilityTimeoutMs ?? 30_000;
  const redrive = opts.redrivePolicy;
  checkVisibilityMs(defaultVisibilityMs, 'VisibilityTimeout');
  if (redrive) checkMaxReceiveCount(redrive.maxReceiveCount);

  const messages = new Map<string, StoredMessage>();
  const byHandle = new Map<string, StoredMessage>();
  const listeners = new Set<() => void>();
  let nextSeq = 0;

  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };

  const stateOf = (m: StoredMessage, now: number): MessageState => {
    if (m.visibleAt <= now) return 'visible';
    return m.receiveCount === 0 ? 'delayed' : 'inFlight';
  };

  const inReceiveOrder = (list: StoredMessage[]): StoredMessage[] => list.sort((a, b) => a.visibleAt - b.visibleAt || a.seq - b.seq);

  const snapshot = (m: StoredMessage, now: number): MessageSnapshot => ({
    messageId: m.messageId,
    body: m.body,
    state: stateOf(m, now),
    receiveCount: m.receiveCount,
    sentTimestamp: m.sentTimestamp,
    visibleAt: m.visibleAt,
    ...(m.firstReceiveTimestamp === undefined ? {} : { firstReceiveTimestamp: m.firstReceiveTimestamp }),
  });

  const forget = (m: StoredMessage): void => {
    messages.delete(m.messageId);
    if (m.receiptHandle) byHandle.delete(m.receiptHandle);
  };

  const store = (m: Omit<StoredMessage, 'seq'>): void => {
    messages.set(m.messageId, { ...m, seq: nextSeq++ });
  };

  const queue: LocalQueue = {
    name,

    send(body, sendOpts: SendOptions = {}) {
      if (body.length === 0) throw new InvalidQueueParameterError('MessageBody', 'must not be empty');
      if (Buffer.byteLength(body, 'utf8') > LocalQueueLimits.maxBodyBytes) {
        throw new InvalidQueueParameterError('MessageBody', `must be at most ${LocalQueueLimits.maxBodyBytes} bytes`);
      }
      const delaySeconds = sendOpts.delaySeconds ?? 0;
      if (!(delaySeconds >= 0 && delaySeconds <= LocalQueueLimits.maxDelaySeconds)) {
        throw new InvalidQueueParameterError('DelaySeconds', `must be within 0..${LocalQueueLimits.maxDelaySeconds}`);
      }
      const now = clock.now();
      const messageId = randomUUID();
      store({
        messageId,
        body,
        md5OfBody: md5Hex(body),
        senderId,
        sentTimestamp: now,
        visibleAt: now + Math.round(delaySeconds * 1000),
        receiveCount: 0,
      });
      notify();
      return messageId;
    },

    receive(receiveOpts: ReceiveOptions = {}) {
      const maxMessages = receiveOpts.maxMessages ?? 1;
      if (!Number.isInteger(maxMessages) || maxMessages < 1) {
        throw new InvalidQueueParameterError('MaxNumberOfMessages', 'must be a positive integer');
      }
      const visibilityMs = receiveOpts.visibilityTimeoutMs ?? defaultVisibilityMs;
      checkVisibilityMs(visibilityMs, 'VisibilityTimeout');

      const now = clock.now();
      const candidates = inReceiveOrder([...messages.values()].filter((m) => m.visibleAt <= now));
      const received: ReceivedMessage[] = [];
      for (const m of candidates) {
        if (received.length >= maxMessages) break;
        // SQS moves a message when a receive would exceed maxReceiveCount, not when the last one fails.
        if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
          forget(m);
          redrive.deadLetterQueue.acceptDeadLetter({
            messageId: m.messageId,
            body: m.body,
            sentTimestamp: m.sentTimestamp,
            senderId: m.senderId,
            receiveCount: m.receiveCount,
            ...(m.firstReceiveTimestamp === undefined ? {} : { firstReceiveTimestamp: m.firstReceiveTimestamp }),
          });
          continue;
        }
        if (m.receiptHandle) byHandle.delete(m.receiptHandle);
        m.receiptHandle = randomBytes(24).toString('base64url');
        byHandle.set(m.receiptHandle, m);
        m.receiveCount += 1;
        m.firstReceiveTimestamp ??= now;
        m.visibleAt = now + visibilityMs;
        received.push({
          messageId: m.messageId,
          receiptHandle: m.receiptHandle,
          body: m.body,
          md5OfBody: m.md5OfBody,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentTimestamp),
            SenderId: m.senderId,
            ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
          },
        });
      }
      return received;
    },

    delete(receiptHandle) {
      const m = byHandle.get(receiptHandle);
      if (!m) return false;
      forget(m);
      return true;
    },

    changeVisibility(receiptHandle, seconds) {
      if (!(seconds >= 0 && seconds <= LocalQueueLimits.maxVisibilitySeconds)) {
        throw new InvalidQueueParameterError('VisibilityTimeout', `must be within 0..${LocalQueueLimits.maxVisibilitySeconds}`);
      }
      const m = byHandle.get(receiptHandle);
      const now = clock.now();
      if (!m || m.visibleAt <= now) throw new ReceiptHandleInvalidError(receiptHandle);
      m.visibleAt = now + Math.round(seconds * 1000);
      notify();
    },

    stats(): QueueStats {
      const now = clock.now();
      const counts: QueueStats = { visible: 0, inFlight: 0, delayed: 0 };
      for (const m of messages.values()) counts[stateOf(m, now)] += 1;
      return counts;
    },

    peek() {
      const now = clock.now();
      return inReceiveOrder([...messages.values()]).map((m) => snapshot(m, now));
    },

    drain() {
      const all = queue.peek();
      messages.clear();
      byHandle.clear();
      return all;
    },

    nextVisibleAt() {
      const now = clock.now();
      let next: number | undefined;
      for (const m of messages.values()) {
        if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
      }
      return next;
    },

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    acceptDeadLetter(letter: DeadLetter) {
      store({
        messageId: letter.messageId,
        body: letter.body,
        md5OfBody: md5Hex(letter.body),
        senderId: letter.senderId,
        sentTimestamp: letter.sentTimestamp,
        visibleAt: clock.now(),
        receiveCount: letter.receiveCount,
        ...(letter.firstReceiveTimestamp === undefined ? {} : { firstReceiveTimestamp: letter.firstReceiveTimestamp }),
      });
      notify();
    },
  };
  return queue;
};

function checkVisibilityMs(ms: number, parameter: string): void {
  if (!(ms >= 0 && ms <= LocalQueueLimits.maxVisibilitySeconds * 1000)) {
    throw new InvalidQueueParameterError(parameter, `must be within 0..${LocalQueueLimits.maxVisibilitySeconds * 1000} ms`);
  }
}

function checkMaxReceiveCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > LocalQueueLimits.maxReceiveCount) {
    throw new InvalidQueueParameterError('maxReceiveCount', `must be an integer within 1..${LocalQueueLimits.maxReceiveCount}`);
  }
}
