import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createLocalQueue,
  InvalidQueueParameterError,
  ReceiptHandleInvalidError,
  type LocalQueueOptions,
} from '../../../lambdas/local/queue';

const T0 = 1_700_000_000_000;

/** A queue on a hand-driven clock: `advance(ms)` is the only way time passes. */
const setup = (opts: Omit<LocalQueueOptions, 'clock'> = {}) => {
  let now = T0;
  const clock = { now: () => now };
  const queue = createLocalQueue({ visibilityTimeoutMs: 1_000, ...opts, clock });
  return { queue, clock, advance: (ms: number) => (now += ms) };
};

describe('createLocalQueue', () => {
  it('returns a sent message with SQS attributes on the first receive', () => {
    const { queue } = setup({ senderId: 'tester' });
    const messageId = queue.send('hello');

    const [message] = queue.receive({ maxMessages: 10 });

    expect(message).toEqual({
      messageId,
      receiptHandle: expect.any(String),
      body: 'hello',
      md5OfBody: createHash('md5').update('hello').digest('hex'),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(T0),
        SenderId: 'tester',
        ApproximateFirstReceiveTimestamp: String(T0),
      },
    });
  });

  it('hides a received message until its visibility timeout ends, then gives it a new handle and count', () => {
    const { queue, advance } = setup();
    queue.send('a');
    const [first] = queue.receive();
    advance(999);
    const whileHidden = queue.receive();
    advance(1);

    const [again] = queue.receive();

    expect(whileHidden).toEqual([]);
    expect(again!.messageId).toBe(first!.messageId);
    expect(again!.receiptHandle).not.toBe(first!.receiptHandle);
    expect(again!.attributes.ApproximateReceiveCount).toBe('2');
    expect(again!.attributes.ApproximateFirstReceiveTimestamp).toBe(String(T0));
  });

  it('honours a per-receive visibility timeout', () => {
    const { queue, advance } = setup();
    queue.send('a');
    queue.receive({ visibilityTimeoutMs: 50 });
    advance(50);

    expect(queue.receive()).toHaveLength(1);
  });

  it('holds a delayed message back until it is due', () => {
    const { queue, advance } = setup();
    queue.send('later', { delaySeconds: 2 });
    advance(1_999);
    const early = queue.receive();
    const statsEarly = queue.stats();
    advance(1);

    const due = queue.receive();

    expect(early).toEqual([]);
    expect(statsEarly).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(due.map((m) => m.body)).toEqual(['later']);
  });

  it('returns at most maxMessages, oldest visible first', () => {
    const { queue, advance } = setup();
    queue.send('delayed', { delaySeconds: 1 });
    queue.send('one');
    advance(10);
    queue.send('two');
    advance(1_000);
    queue.send('three');

    const batch = queue.receive({ maxMessages: 3 });

    expect(batch.map((m) => m.body)).toEqual(['one', 'two', 'delayed']);
    expect(queue.stats()).toEqual({ visible: 1, inFlight: 3, delayed: 0 });
  });

  it('deletes a message by its current receipt handle', () => {
    const { queue, advance } = setup();
    queue.send('a');
    const [message] = queue.receive();

    const deleted = queue.delete(message!.receiptHandle);
    advance(5_000);

    expect(deleted).toBe(true);
    expect(queue.receive()).toEqual([]);
    expect(queue.peek()).toEqual([]);
  });

  it('treats a delete with a stale receipt handle as a harmless no-op', () => {
    const { queue, advance } = setup();
    queue.send('a');
    const [first] = queue.receive();
    advance(1_000);
    const [second] = queue.receive();

    const staleDelete = queue.delete(first!.receiptHandle);
    const unknownDelete = queue.delete('never-issued');

    expect(staleDelete).toBe(false);
    expect(unknownDelete).toBe(false);
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(queue.delete(second!.receiptHandle)).toBe(true);
    expect(queue.delete(second!.receiptHandle)).toBe(false);
  });

  it('makes an in-flight message visible again at once with a visibility of 0', () => {
    const { queue } = setup();
    queue.send('a');
    const [message] = queue.receive();

    queue.changeVisibility(message!.receiptHandle, 0);

    expect(queue.receive().map((m) => m.body)).toEqual(['a']);
  });

  it('extends the visibility of an in-flight message', () => {
    const { queue, advance } = setup();
    queue.send('a');
    const [message] = queue.receive();

    queue.changeVisibility(message!.receiptHandle, 5);
    advance(4_999);
    const stillHidden = queue.receive();
    advance(1);

    expect(stillHidden).toEqual([]);
    expect(queue.receive()).toHaveLength(1);
  });

  it('refuses to change the visibility through a handle that names no message in flight', () => {
    const { queue, advance } = setup();
    queue.send('a');
    const [first] = queue.receive();
    advance(1_000);
    const expired = () => queue.changeVisibility(first!.receiptHandle, 10);
    queue.receive();

    const superseded = () => queue.changeVisibility(first!.receiptHandle, 10);

    expect(expired).toThrow(ReceiptHandleInvalidError);
    expect(superseded).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('moves a message to the dead-letter queue on the receive that would exceed maxReceiveCount', () => {
    const dlq = createLocalQueue({ name: 'dlq' });
    const { queue, advance } = setup({ redrivePolicy: { deadLetterQueue: dlq, maxReceiveCount: 2 } });
    const messageId = queue.send('poison');
    queue.send('fine', { delaySeconds: 2 });
    const counts: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      counts.push(...queue.receive().map((m) => m.attributes.ApproximateReceiveCount));
      advance(1_000);
    }

    const third = queue.receive({ maxMessages: 10 });

    expect(counts).toEqual(['1', '2']);
    expect(third.map((m) => m.body)).toEqual(['fine']);
    expect(dlq.peek()).toEqual([
      expect.objectContaining({ messageId, body: 'poison', sentTimestamp: T0, receiveCount: 2, state: 'visible' }),
    ]);
    expect(queue.peek().map((m) => m.body)).toEqual(['fine']);
  });

  it('reports visible, in-flight and delayed counts and peeks without changing state', () => {
    const { queue } = setup();
    queue.send('in flight');
    queue.send('visible');
    queue.send('delayed', { delaySeconds: 60 });
    queue.receive();

    const stats = queue.stats();
    const peeked = queue.peek();

    expect(stats).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
    expect(peeked.map((m) => [m.body, m.state])).toEqual([
      ['visible', 'visible'],
      ['in flight', 'inFlight'],
      ['delayed', 'delayed'],
    ]);
    expect(queue.stats()).toEqual(stats);
  });

  it('drains every message and leaves the queue empty', () => {
    const { queue } = setup();
    queue.send('a');
    queue.send('b', { delaySeconds: 10 });
    const [received] = queue.receive();

    const drained = queue.drain();

    expect(drained.map((m) => [m.body, m.state])).toEqual([
      ['a', 'inFlight'],
      ['b', 'delayed'],
    ]);
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(queue.delete(received!.receiptHandle)).toBe(false);
  });

  it('tells when the next hidden message becomes visible', () => {
    const { queue } = setup();
    const before = queue.nextVisibleAt();
    queue.send('a', { delaySeconds: 3 });
    queue.send('b');
    queue.receive();

    const next = queue.nextVisibleAt();

    expect(before).toBeUndefined();
    expect(next).toBe(T0 + 1_000);
  });

  it('notifies listeners of sends and visibility changes until they unsubscribe', () => {
    const { queue } = setup();
    let calls = 0;
    const unsubscribe = queue.onChange(() => (calls += 1));
    queue.send('a');
    const [message] = queue.receive();
    queue.changeVisibility(message!.receiptHandle, 0);
    unsubscribe();

    queue.send('b');

    expect(calls).toBe(2);
  });

  it.each([
    ['an empty body', () => setup().queue.send(''), 'MessageBody'],
    ['a delay above 900 s', () => setup().queue.send('a', { delaySeconds: 901 }), 'DelaySeconds'],
    ['a negative delay', () => setup().queue.send('a', { delaySeconds: -1 }), 'DelaySeconds'],
    ['a body above 1 MiB', () => setup().queue.send('x'.repeat(1_048_577)), 'MessageBody'],
    ['a zero batch', () => setup().queue.receive({ maxMessages: 0 }), 'MaxNumberOfMessages'],
    [
      'a maxReceiveCount of 0',
      () => createLocalQueue({ redrivePolicy: { deadLetterQueue: createLocalQueue(), maxReceiveCount: 0 } }),
      'maxReceiveCount',
    ],
  ])('rejects %s as SQS would', (_label, act, parameter) => {
    expect(act).toThrow(InvalidQueueParameterError);
    expect(act).toThrow(expect.objectContaining({ code: 'invalid_input', parameter }));
  });
});
