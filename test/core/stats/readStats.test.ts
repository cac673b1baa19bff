import { describe, expect, it } from 'vitest';
import type { Job, Runtime, TerminalStatus } from '../../../lambdas/core';
import { ValidationError } from '../../../lambdas/core';
import { createReadStats, createStatsHook, RELATIVE_PRECISION } from '../../../lambdas/core/stats';
import { jobFactory, callerFactory } from '../../helpers/factories';
import { createFakeClock } from '../../helpers/memory/createFakeClock';
import { createMemoryStore } from '../../helpers/memory/createMemoryStore';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';

const HOUR = 3_600_000;
const T0 = Date.parse('2031-03-10T00:00:00.000Z');

/** A small deterministic PRNG, so the known set is the same on every run. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** `count` ended jobs of two tenants spread over 30 hours after T0, every field drawn at random. */
const knownJobs = (count: number): Job[] => {
  const r = random(42);
  return Array.from({ length: count }, (_, i) => {
    const status = pick(r, ['completed', 'completed', 'failed', 'timeout', 'cancelled'] as const);
    const created = T0 + Math.floor(r() * 30 * HOUR);
    const started = r() < 0.1 ? undefined : created + Math.floor(r() * 20_000);
    const durationMs = Math.floor(r() * 600_000);
    const finished = (started ?? created) + durationMs;
    const eventId = pick(r, [undefined, 'ev-a', 'ev-b']);
    return jobFactory({
      tenant: pick(r, ['acme', 'acme', 'globex']),
      id: `job${i}`,
      status,
      runtime: pick(r, ['bash', 'python', 'node', 'http'] as const),
      createdAt: new Date(created).toISOString(),
      ...(started !== undefined ? { startedAt: new Date(started).toISOString() } : { startedAt: undefined }),
      finishedAt: new Date(finished).toISOString(),
      durationMs,
      ...(eventId ? { eventId, eventName: `name of ${eventId}` } : {}),
      ...(status === 'failed' ? { error: { code: pick(r, ['exit_nonzero', 'oom', 'lost']), message: 'x' } } : {}),
      ...(status === 'timeout' ? { error: { code: 'timeout', message: 'x' } } : {}),
    });
  });
};

const nearestRank = (values: number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
};

const expectClose = (reported: number | null, exact: number | null) => {
  if (exact === null) return expect(reported).toBeNull();
  expect(Math.abs(reported! - exact)).toBeLessThanOrEqual(exact * RELATIVE_PRECISION + 0.05);
};

/** What a person counting the jobs one by one gets. */
const countByHand = (jobs: Job[]) => {
  const byStatus: Record<TerminalStatus, number> = { completed: 0, failed: 0, timeout: 0, cancelled: 0 };
  const byErrorCode: Record<string, number> = {};
  for (const j of jobs) {
    byStatus[j.status as TerminalStatus]++;
    if (j.error) byErrorCode[j.error.code] = (byErrorCode[j.error.code] ?? 0) + 1;
  }
  const ran = jobs.filter((j) => j.startedAt !== undefined);
  return {
    jobs: jobs.length,
    byStatus,
    byErrorCode,
    successRate: byStatus.completed / (jobs.length - byStatus.cancelled),
    durations: ran.map((j) => j.durationMs!),
    waits: ran.map((j) => Date.parse(j.startedAt!) - Date.parse(j.createdAt)),
  };
};

const setup = async (jobs: Job[]) => {
  const store = createMemoryStore();
  const clock = createFakeClock(T0 + 31 * HOUR);
  const hook = createStatsHook({ store, clock });
  for (const job of jobs) {
    // Every change reaches the hook; only the one into a terminal status counts.
    await hook.changed({ ...job, status: 'running' }, 'claimed');
    await hook.changed(job, 'running');
    await hook.changed({ ...job, status: 'cancelled' }, job.status);
  }
  return { read: createReadStats({ store, clock }), store, clock };
};

describe('job statistics', () => {
  it('equal a count done by hand over a known set of jobs: overall, per runtime and per event', async () => {
    // Arrange
    const jobs = knownJobs(400);
    const { read } = await setup(jobs);
    const acme = jobs.filter((j) => j.tenant === 'acme');

    // Act
    const stats = await read(callerFactory(), { since: new Date(T0).toISOString(), until: new Date(T0 + 31 * HOUR).toISOString() });

    // Assert
    const hand = countByHand(acme);
    expect(stats.total).toMatchObject({ jobs: hand.jobs, byStatus: hand.byStatus, byErrorCode: hand.byErrorCode });
    expect(stats.total.successRate).toBeCloseTo(hand.successRate, 12);
    expect(stats.total.durationMs.count).toBe(hand.durations.length);
    expect(stats.total.queueWaitMs.count).toBe(hand.waits.length);
    for (const p of [50, 95, 99] as const) expectClose(stats.total.durationMs[`p${p}`], nearestRank(hand.durations, p));
    for (const p of [50, 95] as const) expectClose(stats.total.queueWaitMs[`p${p}`], nearestRank(hand.waits, p));

    for (const runtime of ['bash', 'python', 'node', 'http'] as Runtime[]) {
      const byHand = countByHand(acme.filter((j) => j.runtime === runtime));
      expect(stats.byRuntime[runtime]).toMatchObject({ jobs: byHand.jobs, byStatus: byHand.byStatus, byErrorCode: byHand.byErrorCode });
      expectClose(stats.byRuntime[runtime]!.durationMs.p95, nearestRank(byHand.durations, 95));
    }
    expect(stats.byEvent.map((e) => e.eventId).sort()).toEqual(['ev-a', 'ev-b']);
    for (const event of stats.byEvent) {
      const byHand = countByHand(acme.filter((j) => j.eventId === event.eventId));
      expect(event).toMatchObject({ eventName: `name of ${event.eventId}`, jobs: byHand.jobs, byStatus: byHand.byStatus });
      expectClose(event.durationMs.p50, nearestRank(byHand.durations, 50));
    }
  });

  it('narrows to one event with eventId, and to whole hours of the range', async () => {
    // Arrange
    const jobs = knownJobs(400);
    const { read } = await setup(jobs);
    const since = T0 + 5 * HOUR + 20 * 60_000;
    const until = T0 + 9 * HOUR + 1;
    const inHours = (j: Job) => Date.parse(j.finishedAt!) >= T0 + 5 * HOUR && Date.parse(j.finishedAt!) < T0 + 10 * HOUR;

    // Act
    const stats = await read(callerFactory(), {
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      eventId: 'ev-b',
    });

    // Assert
    expect(stats.from).toBe(new Date(T0 + 5 * HOUR).toISOString());
    expect(stats.to).toBe(new Date(T0 + 10 * HOUR).toISOString());
    const hand = countByHand(jobs.filter((j) => j.tenant === 'acme' && j.eventId === 'ev-b' && inHours(j)));
    expect(hand.jobs).toBeGreaterThan(0);
    expect(stats.total).toMatchObject({ jobs: hand.jobs, byStatus: hand.byStatus });
    expect(stats.byEvent.map((e) => e.eventId)).toEqual(['ev-b']);
  });

  it('never mixes tenants', async () => {
    // Arrange
    const jobs = knownJobs(200);
    const { read } = await setup(jobs);
    const range = { since: new Date(T0).toISOString(), until: new Date(T0 + 31 * HOUR).toISOString() };

    // Act
    const globex = await read(callerFactory({ tenant: 'globex' }), range);
    const initech = await read(callerFactory({ tenant: 'initech' }), range);

    // Assert
    expect(globex.total.jobs).toBe(jobs.filter((j) => j.tenant === 'globex').length);
    expect(initech.total.jobs).toBe(0);
    expect(initech.total.successRate).toBeNull();
    expect(initech.total.durationMs).toEqual({ count: 0, p50: null, p95: null, p99: null });
    expect(initech.byEvent).toEqual([]);
  });

  it('covers the last 24 hours by default', async () => {
    // Arrange: one job ended 23 h ago, one 25 h ago
    const now = T0 + 31 * HOUR;
    const ended = (ago: number, id: string) =>
      jobFactory({ id, status: 'completed', finishedAt: new Date(now - ago * HOUR).toISOString(), startedAt: undefined });
    const { read } = await setup([ended(23, 'recent'), ended(25, 'old')]);

    // Act
    const stats = await read(callerFactory(), {});

    // Assert
    expect(stats.total.jobs).toBe(1);
    expect(stats.to).toBe(new Date(now + HOUR).toISOString());
  });

  it.each([
    [{ since: 'yesterday' }, 'since'],
    [{ until: 'not a time' }, 'until'],
    [{ since: '2031-03-10T10:00:00Z', until: '2031-03-10T09:00:00Z' }, 'since'],
    [{ since: '2031-01-01T00:00:00Z', until: '2031-03-01T00:00:00Z' }, 'since'],
  ])('refuses %j naming %s', async (query, field) => {
    const { read } = await setup([]);
    const err = await errorOf(() => read(callerFactory(), query));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
  });

  it('counts jobs ended through the control plane (the hook is wired), once each', async () => {
    // Arrange
    const h = createHarness();
    const ok = await h.launch();
    const bad = await h.launch(callerFactory(), { runtime: 'python', script: 'exit(3)' });
    const waiting = await h.submit();
    h.clock.advance(1500);

    // Act
    await h.cp.executions.exited(keyOf(ok), { exitCode: 0, oomKilled: false, timedOut: false });
    await h.cp.executions.exited(keyOf(bad), { exitCode: 3, oomKilled: false, timedOut: false });
    await h.cp.executions.exited(keyOf(bad), { exitCode: 3, oomKilled: false, timedOut: false });
    await h.cp.jobs.cancel(callerFactory(), waiting.id);
    const stats = await h.cp.stats.read(callerFactory(), {});

    // Assert
    expect(stats.total).toMatchObject({
      jobs: 3,
      byStatus: { completed: 1, failed: 1, timeout: 0, cancelled: 1 },
      byErrorCode: { exit_nonzero: 1 },
      successRate: 0.5,
    });
    expect(stats.total.durationMs).toMatchObject({ count: 2, p50: expect.closeTo(1500, -2) });
    expect(Object.keys(stats.byRuntime).sort()).toEqual(['bash', 'python']);
    expect((await h.cp.stats.read(callerFactory({ tenant: 'globex' }), {})).total.jobs).toBe(0);
  });
});
