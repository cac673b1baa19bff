import { createHash } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeJobMessage, encodeJobMessage } from '../../../lambdas/adapters/sqs';
import {
  createLocalQueue,
  createQueuePoller,
  type PollerLogger,
  type QueuePoller,
  type QueuePollerOptions,
} from '../../../lambdas/local/queue';

type Respond = (event: SQSEvent, call: number) => Promise<SQSBatchResponse | void> | SQSBatchResponse | void;

interface Call {
  event: SQSEvent;
  context: Context;
  at: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const bodies = (call: Call | undefined) => call?.event.Records.map((r) => r.body);
const firstReceivedAt = (call: Call | undefined) => Number(call?.event.Records[0]?.attributes.ApproximateFirstReceiveTimestamp);
const failAll = (event: SQSEvent): SQSBatchResponse => ({
  batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
});

/** A handler that records each event it gets (copied, as Lambda would serialise it). */
const recordingHandler = (respond: Respond = () => undefined) => {
  const calls: Call[] = [];
  const handler = async (event: SQSEvent, context: Context) => {
    calls.push({ event: structuredClone(event), context, at: Date.now() });
    return respond(event, calls.length);
  };
  return { handler, calls };
};

const silentLogger = (): PollerLogger & { messages: string[] } => {
  const messages: string[] = [];
  return { messages, warn: (_details, message) => void messages.push(message ?? '') };
};

const pollers: QueuePoller[] = [];
const startPoller = (opts: QueuePollerOptions): QueuePoller => {
  const poller = createQueuePoller({ logger: silentLogger(), ...opts });
  pollers.push(poller);
  poller.start();
  return poller;
};

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  vi.useRealTimers();
});

describe('createQueuePoller', () => {
  it('delivers a sent message to the handler as a well-formed SQSEvent and deletes it on success', async () => {
    const queue = createLocalQueue({ name: 'jobs', visibilityTimeoutMs: 1_000 });
    const { handler, calls } = recordingHandler();
    startPoller({
      queue,
      handler,
      visibilityTimeoutMs: 1_000,
      queueArn: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
      region: 'eu-west-1',
    });
    const body = encodeJobMessage({ tenant: 'acme', jobId: '01JOB' });
    const before = Date.now();

    const messageId = queue.send(body);

    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const { event, context } = calls[0]!;
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0]!;
    expect(record).toEqual({
      messageId,
      receiptHandle: expect.any(String),
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
      awsRegion: 'eu-west-1',
    });
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record.attributes.SentTimestamp));
    expect(decodeJobMessage(record.body)).toEqual({ tenant: 'acme', jobId: '01JOB' });
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:dispatcher');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(1_000);
    await vi.waitFor(() => expect(queue.peek()).toEqual([]));
  });

  it('wakes as soon as a message is sent, without a polling delay', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const queue = createLocalQueue();
    const { handler, calls } = recordingHandler();
    startPoller({ queue, handler });
    await vi.advanceTimersByTimeAsync(0);

    queue.send('now');
    await vi.advanceTimersByTimeAsync(0);

    expect(calls.map(bodies)).toEqual([['now']]);
  });

  it('holds a delayed message back until it is due', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const queue = createLocalQueue();
    const { handler, calls } = recordingHandler();
    startPoller({ queue, handler });

    queue.send('later', { delaySeconds: 2 });
    await vi.advanceTimersByTimeAsync(1_999);
    const beforeDue = calls.length;
    await vi.advanceTimersByTimeAsync(1);

    expect(beforeDue).toBe(0);
    expect(calls.map(bodies)).toEqual([['later']]);
  });

  it('puts a burst of sends into batches of at most batchSize', async () => {
    const queue = createLocalQueue({ visibilityTimeoutMs: 1_000 });
    const { handler, calls } = recordingHandler();
    startPoller({ queue, handler, batchSize: 3, concurrency: 1 });

    for (let i = 1; i <= 7; i += 1) queue.send(`m${i}`);

    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls.map(bodies)).toEqual([['m1', 'm2', 'm3'], ['m4', 'm5', 'm6'], ['m7']]);
  });

  it('redelivers only the failed item after the visibility timeout, with ApproximateReceiveCount 2', async () => {
    const visibilityTimeoutMs = 40;
    const queue = createLocalQueue();
    const { handler, calls } = recordingHandler((event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records.find((r) => r.body === 'bad')!.messageId }] } : undefined,
    );
    startPoller({ queue, handler, visibilityTimeoutMs });

    queue.send('good-1');
    queue.send('bad');
    queue.send('good-2');

    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(bodies(calls[0])).toEqual(['good-1', 'bad', 'good-2']);
    expect(calls[1]!.event.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([['bad', '2']]);
    expect(calls[1]!.at - firstReceivedAt(calls[1])).toBeGreaterThanOrEqual(visibilityTimeoutMs);
    await vi.waitFor(() => expect(queue.peek()).toEqual([]));
    await sleep(visibilityTimeoutMs * 2);
    expect(calls).toHaveLength(2);
  });

  it('redelivers the whole batch after the visibility timeout when the handler throws', async () => {
    const visibilityTimeoutMs = 40;
    const queue = createLocalQueue();
    const logger = silentLogger();
    const { handler, calls } = recordingHandler((_event, call) => {
      if (call === 1) throw new Error('dispatcher crashed');
    });
    startPoller({ queue, handler, visibilityTimeoutMs, logger });

    queue.send('a');
    queue.send('b');

    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1]!.event.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['a', '2'],
      ['b', '2'],
    ]);
    expect(calls[1]!.at - firstReceivedAt(calls[1])).toBeGreaterThanOrEqual(visibilityTimeoutMs);
    expect(logger.messages).toEqual([expect.stringContaining('handler failed')]);
    await vi.waitFor(() => expect(queue.peek()).toEqual([]));
  });

  it('fails the whole batch when an itemIdentifier is not in the batch, as Lambda does', async () => {
    const queue = createLocalQueue();
    const logger = silentLogger();
    const { handler, calls } = recordingHandler((_event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: 'no-such-message' }] } : undefined,
    );
    startPoller({ queue, handler, visibilityTimeoutMs: 30, logger });

    queue.send('a');
    queue.send('b');

    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(bodies(calls[1])).toEqual(['a', 'b']);
    expect(logger.messages).toEqual([expect.stringContaining('invalid batch response')]);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives and never delivers it again', async () => {
    const visibilityTimeoutMs = 20;
    const dlq = createLocalQueue({ name: 'jobs-dlq' });
    const queue = createLocalQueue({ name: 'jobs', redrivePolicy: { deadLetterQueue: dlq, maxReceiveCount: 3 } });
    const { handler, calls } = recordingHandler(failAll);
    startPoller({ queue, handler, visibilityTimeoutMs });

    const messageId = queue.send('poison');

    await vi.waitFor(() => expect(dlq.stats().visible).toBe(1));
    await sleep(visibilityTimeoutMs * 3);
    expect(calls.map((c) => c.event.Records[0]!.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(dlq.peek()).toEqual([expect.objectContaining({ messageId, body: 'poison', receiveCount: 3 })]);
    expect(queue.peek()).toEqual([]);
  });

  it('never has more batches in flight than its concurrency', async () => {
    const queue = createLocalQueue({ visibilityTimeoutMs: 5_000 });
    let active = 0;
    let maxActive = 0;
    const { handler, calls } = recordingHandler(async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(15);
      active -= 1;
    });
    startPoller({ queue, handler, batchSize: 1, concurrency: 2 });

    for (let i = 0; i < 7; i += 1) queue.send(`m${i}`);

    await vi.waitFor(() => expect(queue.peek()).toEqual([]));
    expect(calls).toHaveLength(7);
    expect(maxActive).toBe(2);
  });

  it('stop() waits for the batch in flight, acknowledges it, and delivers nothing afterwards', async () => {
    const queue = createLocalQueue({ visibilityTimeoutMs: 5_000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { handler, calls } = recordingHandler(() => gate);
    const poller = startPoller({ queue, handler });
    queue.send('in flight');
    await vi.waitFor(() => expect(calls).toHaveLength(1));

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    queue.send('after stop');
    await sleep(20);
    const stoppedBeforeRelease = stopped;
    release();
    await stopping;
    await sleep(20);

    expect(stoppedBeforeRelease).toBe(false);
    expect(poller.isRunning()).toBe(false);
    expect(poller.inFlightBatches()).toBe(0);
    expect(calls.map(bodies)).toEqual([['in flight']]);
    expect(queue.peek().map((m) => [m.body, m.state])).toEqual([['after stop', 'visible']]);
  });
});
