import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../../core/ports/logger';
import type { Clock } from '../../core/ports/runtime';
import { createLambdaContext } from '../createLambdaContext';
import { InvalidQueueParameterError } from './errors';
import { interpretBatchResponse } from './interpretBatchResponse';
import type { LocalQueue, ReceivedMessage } from './LocalQueue';
import { toSqsRecord } from './toSqsRecord';

/** A Lambda handler for SQS events, as the dispatcher exports it. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Where the poller reports batches that failed: the core `Logger` (or pino) fits. */
export type PollerLogger = Pick<Logger, 'warn'>;

/** Options of {@link createQueuePoller}. */
export interface QueuePollerOptions {
  queue: LocalQueue;
  handler: SqsBatchHandler;
  /** Most records per event (Lambda allows up to 10 000 for standard queues). @default 10 */
  batchSize?: number;
  /** Batches in flight at once, like the function's concurrency. @default 2 */
  concurrency?: number;
  /** How long a received batch stays invisible. @default the queue's visibility timeout */
  visibilityTimeoutMs?: number;
  /** Budget `context.getRemainingTimeInMillis()` counts down from. @default visibilityTimeoutMs, else 30 000 */
  functionTimeoutMs?: number;
  /** @default `arn:aws:sqs:<region>:000000000000:<queue name>` */
  queueArn?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default 'dispatcher' */
  functionName?: string;
  /** @default Date.now */
  clock?: Clock;
  /** @default console.warn */
  logger?: PollerLogger;
}

/** Feeds a local queue to a handler the way Lambda's SQS event source mapping does. */
export interface QueuePoller {
  /** Starts receiving; a second call does nothing. */
  start(): void;
  /** Stops receiving and resolves once every batch in flight has finished and been acknowledged. */
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Batches handed to the handler and not yet finished. */
  inFlightBatches(): number;
}

const MAX_TIMER_MS = 2_147_483_647;
const systemClock: Clock = { now: () => Date.now() };
const consoleLogger: PollerLogger = { warn: (details, message) => console.warn(message, details) };

/**
 * Creates a poller that turns messages of a {@link LocalQueue} into `SQSEvent` batches for a handler,
 * honouring `batchItemFailures` (ReportBatchItemFailures): records not listed are deleted; listed
 * ones, and every record of a batch whose handler threw or answered with an invalid response,
 * reappear after the visibility timeout until the queue's redrive policy moves them to the DLQ.
 *
 * There is no polling interval: the poller wakes when the queue reports a change and at the next
 * time a hidden message becomes visible.
 *
 * @throws InvalidQueueParameterError when `batchSize` or `concurrency` is not a positive integer.
 * @example
 * const poller = createQueuePoller({ queue, handler: dispatcher.handler, visibilityTimeoutMs: 60_000 });
 * poller.start();
 * // on shutdown
 * await poller.stop();
 */
export const createQueuePoller = (opts: QueuePollerOptions): QueuePoller => {
  const { queue, handler, visibilityTimeoutMs } = opts;
  const batchSize = opts.batchSize ?? 10;
  const concurrency = opts.concurrency ?? 2;
  checkPositiveInteger(batchSize, 'batchSize');
  checkPositiveInteger(concurrency, 'concurrency');
  const region = opts.region ?? 'us-east-1';
  const queueArn = opts.queueArn ?? `arn:aws:sqs:${region}:000000000000:${queue.name}`;
  const accountId = queueArn.split(':')[4] || '000000000000';
  const functionName = opts.functionName ?? 'dispatcher';
  const functionTimeoutMs = opts.functionTimeoutMs ?? visibilityTimeoutMs ?? 30_000;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? consoleLogger;

  let running = false;
  let pumpQueued = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt: number | undefined;
  let unsubscribe: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();

  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerAt = undefined;
  };

  const armTimer = (): void => {
    const next = queue.nextVisibleAt();
    if (next === undefined) return clearTimer();
    if (timer !== undefined && timerAt === next) return;
    clearTimer();
    timerAt = next;
    // At least 1 ms: a timer that fires a hair early must not spin.
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, next - clock.now()));
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = undefined;
      pump();
    }, delay);
  };

  // Deferred so a send() returns before the handler runs, and a burst of sends becomes one batch.
  const schedulePump = (): void => {
    if (!running || pumpQueued) return;
    pumpQueued = true;
    queueMicrotask(() => {
      pumpQueued = false;
      pump();
    });
  };

  const acknowledge = (records: SQSRecord[], response: unknown): void => {
    const outcome = interpretBatchResponse(
      response,
      records.map((r) => r.messageId),
    );
    if (outcome.kind === 'failure') {
      logger.warn(
        { queue: queue.name, reason: outcome.reason, messageIds: records.map((r) => r.messageId) },
        'invalid batch response: the whole batch will be retried',
      );
      return;
    }
    for (const record of records) {
      if (outcome.kind === 'partial' && outcome.failedIds.has(record.messageId)) continue;
      queue.delete(record.receiptHandle);
    }
  };

  const runBatch = async (messages: ReceivedMessage[]): Promise<void> => {
    const records = messages.map((m) => toSqsRecord(m, { queueArn, region }));
    const context = createLambdaContext({ functionName, region, accountId, timeoutMs: functionTimeoutMs, clock });
    let response: unknown;
    try {
      response = await handler({ Records: records }, context);
    } catch (error) {
      // As on Lambda, nothing is deleted: the messages return when their visibility timeout ends.
      logger.warn(
        { queue: queue.name, err: error, messageIds: records.map((r) => r.messageId) },
        'handler failed: the whole batch will be retried',
      );
      return;
    }
    acknowledge(records, response);
  };

  const pump = (): void => {
    if (!running) return;
    try {
      while (inFlight.size < concurrency) {
        const messages = queue.receive({
          maxMessages: batchSize,
          ...(visibilityTimeoutMs === undefined ? {} : { visibilityTimeoutMs }),
        });
        if (messages.length === 0) break;
        const batch: Promise<void> = runBatch(messages).finally(() => {
          inFlight.delete(batch);
          schedulePump();
        });
        inFlight.add(batch);
      }
    } catch (error) {
      logger.warn({ queue: queue.name, err: error }, 'receive failed');
    }
    armTimer();
  };

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = queue.onChange(schedulePump);
      schedulePump();
    },

    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = undefined;
      clearTimer();
      await Promise.allSettled([...inFlight]);
    },

    isRunning: () => running,
    inFlightBatches: () => inFlight.size,
  };
};

function checkPositiveInteger(value: number, parameter: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidQueueParameterError(parameter, 'must be a positive integer');
  }
}
