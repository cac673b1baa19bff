import { describe, expect, it } from 'vitest';
import type { Job, RetryPolicy } from '../../../lambdas/core/model';
import { backoffSeconds, decideRetry, dueDelaySeconds, jitteredBackoffSeconds } from '../../../lambdas/core/jobs/retryPolicy';
import { callerFactory } from '../../helpers/factories';
import { createHarness, keyOf, type Harness } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const policy: RetryPolicy = { max: 3, backoffSeconds: 10, factor: 2, maxBackoffSeconds: 25 };
const failedExit = { exitCode: 3, oomKilled: false, timedOut: false };
const exit0 = { exitCode: 0, oomKilled: false, timedOut: false };
const failed = { status: 'failed', exitCode: 3, error: { code: 'exit_nonzero', message: 'exit 3' } } as const;

const jobWith = (over: Partial<Job>): Job => ({ retries: policy, attempt: 1, ...over }) as Job;

/** Lets the retry's delayed message arrive (the fake clock moves past it) and dispatches it. */
const deliverRetry = async (h: Harness) => {
  const [message] = h.queue.take();
  if (!message) throw new Error('test setup: no retry message');
  h.clock.advance((message.delaySeconds ?? 0) * 1000 + 1);
  return h.cp.dispatch(message.key);
};

describe('retry decision', () => {
  it('retries failed and timed-out runs while attempts are left, never a cancelled one', () => {
    expect(decideRetry(jobWith({}), failed, 0)?.attempt).toBe(2);
    expect(decideRetry(jobWith({}), { status: 'timeout', error: { code: 'timeout', message: '' } }, 0)?.attempt).toBe(2);
    expect(decideRetry(jobWith({}), { status: 'failed', error: { code: 'lost', message: '' } }, 0)?.attempt).toBe(2);
    expect(decideRetry(jobWith({}), { status: 'cancelled', error: { code: 'cancelled', message: '' } }, 0)).toBeUndefined();
    expect(decideRetry(jobWith({}), { status: 'completed' }, 0)).toBeUndefined();
    expect(decideRetry(jobWith({ attempt: 4 }), failed, 0)).toBeUndefined();
    expect(decideRetry(jobWith({ retries: undefined }), failed, 0)).toBeUndefined();
  });

  it('does not retry a failure the next attempt would meet again (invalid input, dead letter)', () => {
    expect(decideRetry(jobWith({}), { status: 'failed', error: { code: 'invalid_input', message: '' } }, 0)).toBeUndefined();
    expect(decideRetry(jobWith({}), { status: 'failed', error: { code: 'dead_lettered', message: '' } }, 0)).toBeUndefined();
  });

  it('backs off by the factor up to the maximum', () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(policy, n))).toEqual([10, 20, 25, 25]);
  });

  it('jitters each backoff between half of it and all of it', () => {
    for (let retry = 1; retry <= 4; retry++) {
      const full = backoffSeconds(policy, retry);
      expect(jitteredBackoffSeconds(policy, retry, 0)).toBe(full / 2);
      expect(jitteredBackoffSeconds(policy, retry, 0.999999)).toBeLessThanOrEqual(full);
      for (let i = 0; i < 50; i++) {
        const d = jitteredBackoffSeconds(policy, retry, Math.random());
        expect(d).toBeGreaterThanOrEqual(full / 2);
        expect(d).toBeLessThanOrEqual(full);
      }
    }
  });

  it('holds back a long wait in legs of at most 15 minutes', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(dueDelaySeconds(undefined, now)).toBe(0);
    expect(dueDelaySeconds(new Date(now).toISOString(), now)).toBe(0);
    expect(dueDelaySeconds(new Date(now - 500).toISOString(), now)).toBe(0);
    // A sub-second backoff still waits (a whole second): a retry never starts early.
    expect(dueDelaySeconds(new Date(now + 500).toISOString(), now)).toBe(1);
    expect(dueDelaySeconds(new Date(now + 60_000).toISOString(), now)).toBe(60);
    expect(dueDelaySeconds(new Date(now + 3_600_000).toISOString(), now)).toBe(900);
  });
});

describe('a job with retries', () => {
  it('goes back to queued with the same id, its attempt counted and listed, its slot freed', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const job = await h.launch(acme, { retries: policy });
    h.queue.take();

    // Act
    await h.cp.executions.exited(keyOf(job), failedExit);

    // Assert
    const back = await h.stored(job);
    expect(back.status).toBe('queued');
    expect(back.attempt).toBe(2);
    expect(back.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status: 'failed', exitCode: 3, error: expect.objectContaining({ code: 'exit_nonzero' }) }),
    ]);
    expect(back.exitCode).toBeUndefined();
    expect(await h.store.slots.held()).toEqual([]);
    const [message] = h.queue.messages;
    expect(message?.key).toEqual(keyOf(job));
    expect(message?.delaySeconds).toBeGreaterThanOrEqual(5);
    expect(message?.delaySeconds).toBeLessThanOrEqual(10);
  });

  it('is never terminal between attempts: hooks and subscribers see queued, then one terminal status', async () => {
    // Arrange
    const statuses: string[] = [];
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const job = await h.launch(acme, { retries: { max: 1 } });
    h.queue.take();

    // Act
    await h.cp.executions.exited(keyOf(job), failedExit);
    statuses.push((await h.stored(job)).status);
    expect(await deliverRetry(h)).toBe('launched');
    statuses.push((await h.stored(job)).status);
    await h.cp.executions.exited(keyOf(job), failedExit);
    statuses.push((await h.stored(job)).status);

    // Assert
    expect(statuses).toEqual(['queued', 'running', 'failed']);
    const ended = await h.stored(job);
    expect(ended.attempt).toBe(2);
    expect(ended.attempts?.map((a) => [a.attempt, a.status, a.exitCode])).toEqual([
      [1, 'failed', 3],
      [2, 'failed', 3],
    ]);
  });

  it('ends completed when a later attempt succeeds, every attempt listed', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme, { retries: { max: 2 } });
    h.queue.take();
    await h.cp.executions.exited(keyOf(job), failedExit);

    // Act
    await deliverRetry(h);
    await h.cp.executions.exited(keyOf(job), exit0);

    // Assert
    const ended = await h.stored(job);
    expect(ended.status).toBe('completed');
    expect(ended.attempts?.map((a) => a.status)).toEqual(['failed', 'completed']);
  });

  it('keeps every attempt’s log, each line marked with its attempt, with a notice where a retry starts', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme, { retries: { max: 1 } });
    h.queue.take();
    const ts = new Date(h.clock.now()).toISOString();
    await h.cp.executions.output(keyOf(job), [{ stream: 'stdout', ts, line: 'first try' }], 't1');
    await h.cp.executions.exited(keyOf(job), failedExit);

    // Act
    await deliverRetry(h);
    await h.cp.executions.output(keyOf(job), [{ stream: 'stdout', ts, line: 'second try' }], 't2');
    await h.cp.executions.exited(keyOf(job), exit0);

    // Assert
    const lines = await h.store.logs.read(keyOf(job), 0, 100);
    expect(lines.map((l) => [l.seq, l.attempt, l.stream])).toEqual([
      [1, undefined, 'stdout'],
      [2, 2, 'system'],
      [3, 2, 'stdout'],
    ]);
    expect(lines[1]?.line).toMatch(/attempt 1 ended failed \(exit_nonzero, exit 3\); attempt 2 of 2 starts in \d+ s/);
    expect(lines[2]?.line).toBe('second try');
  });

  it('is not retried when cancelled, and a cancel while a retry is due ends it', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme, { retries: { max: 3 } });
    h.queue.take();
    await h.cp.executions.exited(keyOf(job), failedExit);

    // Act
    await h.cp.jobs.cancel(acme, job.id);

    // Assert
    const ended = await h.stored(job);
    expect(ended.status).toBe('cancelled');
    expect(ended.attempts?.map((a) => a.status)).toEqual(['failed', 'cancelled']);
    expect(await deliverRetry(h)).toBe('skipped');
  });

  it('waits out a backoff longer than the queue can hold a message in legs, and the tick does not call it lost', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme, { retries: { max: 1, backoffSeconds: 3600, maxBackoffSeconds: 3600 } });
    h.queue.take();
    await h.cp.executions.exited(keyOf(job), failedExit);
    const [first] = h.queue.take();
    expect(first?.delaySeconds).toBe(900);

    // Act: the message arrives after 15 minutes, the retry is not due yet
    h.clock.advance(900_000);
    const early = await h.cp.dispatch(keyOf(job));
    const tick = await h.cp.tick();

    // Assert
    expect(early).toBe('retrying');
    expect(h.queue.take().map((m) => m.delaySeconds)).toEqual([expect.any(Number)]);
    expect(tick.reoffered).toBe(0);
    expect(tick.lost).toBe(0);
    expect((await h.stored(job)).status).toBe('queued');
  });

  it('takes a node’s retries over its event’s when a run asks for them', async () => {
    // Arrange
    const h = createHarness();
    const event = await h.cp.events.create(acme, { name: 'e', runtime: 'bash', script: 'exit 1', retries: { max: 1 } });

    // Act
    const run = await h.cp.events.run(acme, event.id, { retries: { max: 4, backoffSeconds: 1 } });

    // Assert
    expect(run.retries).toEqual({ max: 4, backoffSeconds: 1, factor: 2, maxBackoffSeconds: 3600 });
  });
});
