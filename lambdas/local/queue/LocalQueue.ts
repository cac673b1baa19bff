/** SQS's redrive policy, with the dead-letter queue itself in place of its ARN. */
export interface RedrivePolicy {
  deadLetterQueue: LocalQueue;
  /** Receives a message may have; the receive that would exceed it moves the message instead (1..1000). */
  maxReceiveCount: number;
}

export interface SendOptions {
  /**
   * Seconds before the message is first visible, 0..900 as in SQS.
   * Unlike SQS, fractions are accepted (tests use tens of milliseconds).
   */
  delaySeconds?: number;
}

export interface ReceiveOptions {
  /** Most messages to return; at least 1. @default 1 */
  maxMessages?: number;
  /** How long received messages stay invisible. @default the queue's visibility timeout */
  visibilityTimeoutMs?: number;
}

/** The system attributes SQS returns with a message (and Lambda copies into `SQSRecord.attributes`). */
export interface ReceivedMessageAttributes {
  ApproximateReceiveCount: string;
  SentTimestamp: string;
  SenderId: string;
  ApproximateFirstReceiveTimestamp: string;
}

/** One message as a receive returns it; `receiptHandle` is fresh for every receive. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Hex MD5 of the body, as SQS computes it. */
  md5OfBody: string;
  attributes: ReceivedMessageAttributes;
}

export const MessageStates = ['visible', 'inFlight', 'delayed'] as const;
/** `delayed`: not yet received and still within its send delay. `inFlight`: received, still invisible. */
export type MessageState = (typeof MessageStates)[number];

/** A read-only view of one stored message, for tests and the health endpoint. */
export interface MessageSnapshot {
  messageId: string;
  body: string;
  state: MessageState;
  receiveCount: number;
  /** Epoch ms of the original send (kept when a message moves to a dead-letter queue, as SQS does). */
  sentTimestamp: number;
  /** Epoch ms from which a receive can return it. */
  visibleAt: number;
  firstReceiveTimestamp?: number;
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** A message handed from a source queue to its dead-letter queue. */
export interface DeadLetter {
  messageId: string;
  body: string;
  sentTimestamp: number;
  senderId: string;
  receiveCount: number;
  firstReceiveTimestamp?: number;
}

/**
 * An in-memory queue with the semantics of an SQS standard queue (see createLocalQueue for the differences).
 * Every method is synchronous: it is a data structure; waiting is the poller's job.
 */
export interface LocalQueue {
  readonly name: string;
  /** @returns the new message's id. @throws InvalidQueueParameterError */
  send(body: string, opts?: SendOptions): string;
  /**
   * Returns up to `maxMessages` visible messages and hides them for the visibility timeout.
   * A message that has already been received `maxReceiveCount` times moves to the dead-letter queue instead.
   * @throws InvalidQueueParameterError
   */
  receive(opts?: ReceiveOptions): ReceivedMessage[];
  /** Deletes the message a current receipt handle names. A stale or unknown handle is a no-op, as in SQS. @returns whether a message was deleted. */
  delete(receiptHandle: string): boolean;
  /**
   * Makes an in-flight message visible again after `seconds` from now (0 = at once).
   * @throws ReceiptHandleInvalidError when the handle does not name a message in flight.
   * @throws InvalidQueueParameterError when `seconds` is outside 0..43200.
   */
  changeVisibility(receiptHandle: string, seconds: number): void;
  stats(): QueueStats;
  /** Every stored message, in receive order, without changing anything. */
  peek(): MessageSnapshot[];
  /** Removes every message (like PurgeQueue) and returns what was there. */
  drain(): MessageSnapshot[];
  /** Epoch ms of the next time a hidden message becomes visible; undefined when none is hidden. */
  nextVisibleAt(): number | undefined;
  /**
   * Calls `listener` (synchronously) whenever a message may have become receivable sooner than
   * `nextVisibleAt()` said: a send, a visibility change, a dead letter arriving.
   * @returns a function that removes the listener.
   */
  onChange(listener: () => void): () => void;
  /** Takes a message a source queue's redrive policy moved here; it is visible at once. */
  acceptDeadLetter(message: DeadLetter): void;
}
