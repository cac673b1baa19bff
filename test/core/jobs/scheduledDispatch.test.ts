import { describe, expect, it } from 'vitest';
import { createDispatchJob, MAX_EARLY_HOLD_MS } from '../../../lambdas/core/jobs/createDispatchJob';
import { createJobHooks } from '../../../lambdas/core/jobs/jobHooks';
import { createLifecycle } from '../../../lambdas/core/jobs/createLifecycle';
import { createLiveFeed } from '../../../lambdas/core/live/createLiveFeed';
import { createServers } from '../../../lambdas/core/servers/createServers';
import { createVariables } from '../../../lambdas/core/variables/createVariables';
import { callerFactory } from '../../helpers/factories';
import type { Harness } from '../../helpers/memory/createHarness';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';
import { at, createScheduleHarness, iso } from '../schedules/scheduleHarness';

const acme = callerFactory();

/**
 * The harness's dispatch, but its waits move the fake clock (by `step(ms)`, all of `ms` unless
 * told) and are recorded, instead of sleeping.
 */
const dispatchWithWaits = (h: Harness, step: (ms: number) => number = (ms) => ms) => {
  const waits: number[] = [];
  const lifecycle = createLifecycle(h, createLiveFeed(h), createJobHooks(h));
  const dispatch = createDispatchJob(h, lifecycle, createVariables(h), createServers(h), async (ms) => {
    waits.push(ms);
    h.clock.advance(step(ms));
  });
  return { dispatch, waits };
};

/** A queued job of schedule `s1` planned at `scheduledAt`, as a tick hands it over. */
const scheduledJob = async (h: Harness, scheduledAt: number) => {
  const job = await h.submit(acme);
  const planned = await h.store.jobs.transition(job, 'queued', { scheduleId: 's1', scheduledAt: new Date(scheduledAt).toISOString() });
  h.queue.take();
  return planned as typeof planned & { scheduledAt: string };
};

describe('dispatching a job delivered before its planned time', () => {
  it('holds it for the rest of the second, so it leaves queued at its scheduledAt, not before', async () => {
    // Arrange: the queue delivered the message 400 ms before the fire time (its delay rounded down).
    const h = createHarness();
    const { dispatch, waits } = dispatchWithWaits(h);
    const job = await scheduledJob(h, h.clock.now() + 400);

    // Act
    const outcome = await dispatch(keyOf(job));

    // Assert
    expect(outcome).toBe('launched');
    expect(waits).toEqual([400]);
    expect(await h.stored(job)).toMatchObject({ status: 'running', claimedAt: job.scheduledAt });
  });

  it('waits again when its timer fires before the clock reaches the planned time', async () => {
    const h = createHarness();
    // The first wait falls 1 ms short of what it asked for.
    let first = true;
    const { dispatch, waits } = dispatchWithWaits(h, (ms) => (first ? ((first = false), ms - 1) : ms));
    const job = await scheduledJob(h, h.clock.now() + 700);

    await dispatch(keyOf(job));

    expect(waits).toEqual([700, 1]);
    expect(Date.parse((await h.stored(job)).claimedAt!)).toBeGreaterThanOrEqual(Date.parse(job.scheduledAt));
  });

  it('does not hold a job for longer than a second: one delivered earlier goes back to the queue for the whole seconds left', async () => {
    // Arrange: 30.6 s early (a message delivered again, or re-offered).
    const h = createHarness();
    const { dispatch, waits } = dispatchWithWaits(h);
    const job = await scheduledJob(h, h.clock.now() + 30_600);

    // Act
    const outcome = await dispatch(keyOf(job));

    // Assert: no wait, no claim; offered again 30 s on, then held for the last 0.6 s.
    expect(outcome).toBe('retrying');
    expect(waits).toEqual([]);
    expect(await h.stored(job)).toMatchObject({ status: 'queued' });
    expect(h.launcher.created).toEqual([]);
    expect(h.queue.take()).toEqual([{ key: keyOf(job), delaySeconds: 30 }]);

    h.clock.advance(30_000);
    expect(await dispatch(keyOf(job))).toBe('launched');
    expect(waits).toEqual([600]);
    expect((await h.stored(job)).claimedAt).toBe(job.scheduledAt);
  });

  it('holds a job exactly MAX_EARLY_HOLD_MS early, and no longer', async () => {
    const h = createHarness();
    const { dispatch, waits } = dispatchWithWaits(h);
    const edge = await scheduledJob(h, h.clock.now() + MAX_EARLY_HOLD_MS);
    const beyond = await scheduledJob(h, h.clock.now() + MAX_EARLY_HOLD_MS + 1);

    expect(await dispatch(keyOf(beyond))).toBe('retrying');
    expect(await dispatch(keyOf(edge))).toBe('launched');

    expect(waits).toEqual([MAX_EARLY_HOLD_MS]);
    expect(h.queue.take()).toEqual([{ key: keyOf(beyond), delaySeconds: 1 }]);
  });

  it('launches nothing when the job is cancelled while it is held', async () => {
    const h = createHarness();
    const lifecycle = createLifecycle(h, createLiveFeed(h), createJobHooks(h));
    const job = await scheduledJob(h, h.clock.now() + 500);
    const dispatch = createDispatchJob(h, lifecycle, createVariables(h), createServers(h), async (ms) => {
      await h.cp.jobs.cancel(acme, job.id);
      h.clock.advance(ms);
    });

    expect(await dispatch(keyOf(job))).toBe('skipped');

    expect(h.launcher.created).toEqual([]);
    expect(await h.store.slots.held()).toEqual([]);
    expect((await h.stored(job)).status).toBe('cancelled');
  });

  it('holds nothing for a job whose planned time has passed, or that has none', async () => {
    const h = createHarness();
    const { dispatch, waits } = dispatchWithWaits(h);
    const late = await scheduledJob(h, h.clock.now() - 250);
    const plain = await h.submit(acme);

    expect(await dispatch(keyOf(late))).toBe('launched');
    expect(await dispatch(keyOf(plain))).toBe('launched');
    expect(waits).toEqual([]);
  });

  it('keeps a retry from starting before its backoff: half a second left goes back to the queue for a whole second', async () => {
    // docs/retries.md: a wait is never shortened; the retry path is not held in the dispatch.
    const h = createHarness();
    const { dispatch, waits } = dispatchWithWaits(h);
    const job = await h.submit(acme);
    await h.store.jobs.transition(job, 'queued', { retryAt: new Date(h.clock.now() + 500).toISOString() });
    h.queue.take();

    expect(await dispatch(keyOf(job))).toBe('retrying');

    expect(waits).toEqual([]);
    expect(h.queue.take()).toEqual([{ key: keyOf(job), delaySeconds: 1 }]);
    expect(h.launcher.created).toEqual([]);
  });
});

describe('a schedule fire from the tick to its launch', () => {
  it('is handed to the queue with its delay rounded down, and starts at its fire time to the millisecond', async () => {
    // Arrange: the tick hands the 00:05:00 fire over at 00:04:00.400, 59.6 s ahead.
    const h = await createScheduleHarness();
    const { dispatch, waits } = dispatchWithWaits(h);
    await h.schedule();
    await h.tickAt('00:04:00.400');
    const [message] = h.queue.take();
    expect(message?.delaySeconds).toBe(59);

    // Act: the queue delivers it when its whole-second delay ran out, 0.6 s early.
    h.clock.set(at('00:04:00.400') + message!.delaySeconds! * 1000);
    const outcome = await dispatch(message!.key);

    // Assert
    expect(outcome).toBe('launched');
    expect(waits).toEqual([600]);
    expect(await h.stored(message!.key)).toMatchObject({ scheduledAt: iso('00:05:00'), claimedAt: iso('00:05:00') });
  });
});
