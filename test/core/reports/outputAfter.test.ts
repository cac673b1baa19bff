import { describe, expect, it, vi } from 'vitest';
import { createControlPlane, createExecutionReports } from '../../../lambdas/core';
import type { JobKey, RawLine } from '../../../lambdas/core';
import { callerFactory } from '../../helpers/factories';
import { createTestDeps } from '../../helpers/memory/createTestDeps';

const acme = callerFactory();

/** Events of a stream numbered 1..n; a resume token is the number of the last stored one. */
const stream = (n: number) => Array.from({ length: n }, (_, i) => ({ pos: i + 1, line: `event ${i + 1}` }));
type StreamEvent = ReturnType<typeof stream>[number];

const pickFrom = (events: StreamEvent[]) => async (token: string | undefined) => {
  const fresh = events.filter((e) => e.pos > Number(token ?? 0));
  if (fresh.length === 0) return undefined;
  const lines: RawLine[] = fresh.map((e) => ({ stream: 'stdout', ts: '2026-12-05T00:00:00.000Z', line: e.line }));
  return { lines, resumeToken: String(fresh.at(-1)!.pos) };
};

/** Two report paths over one store, as two Lambda containers (the log forwarder and the completion drain). */
const twoWriters = async (o: { maxLogBytes?: number } = {}) => {
  const { launcher, ...deps } = createTestDeps(o.maxLogBytes ? { config: { maxLogBytes: o.maxLogBytes } } : {});
  const first = createExecutionReports(deps);
  const second = createExecutionReports(deps);
  const cp = createControlPlane({ ...deps, launcher }, { reports: first });
  const job = await cp.jobs.submit(acme, { runtime: 'bash', script: 'echo hi' });
  const key: JobKey = { tenant: job.tenant, jobId: job.id };
  expect(await cp.dispatch(key)).toBe('launched');
  const lines = async () => (await deps.store.logs.read(key, 0, 1000)).map((l) => [l.seq, l.line]);
  return { deps, first, second, key, lines };
};

describe('output picked after the stored position', () => {
  it('stores the same events once when two writers pick them from the same position at the same moment', async () => {
    // Arrange: neither writer's pick returns until both have picked, so both number from seq 0.
    const { first, second, key, lines } = await twoWriters();
    const events = stream(5);
    let picks = 0;
    let bothPicked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothPicked = resolve));
    const racing = (token: string | undefined) => {
      if (++picks === 2) bothPicked();
      return (picks <= 2 ? barrier : Promise.resolve()).then(() => pickFrom(events)(token));
    };

    // Act
    await Promise.all([first.outputAfter(key, racing), second.outputAfter(key, racing)]);

    // Assert: the loser picked again after the winner's position and found nothing new.
    expect(picks).toBe(3);
    expect(await lines()).toEqual(events.map((e) => [e.pos, e.line]));
  });

  it('stores only the new events of a batch that overlaps what another writer stored', async () => {
    // Arrange: the second writer stored events 1..3 after the first writer's cursor was made.
    const { first, second, key, lines } = await twoWriters();
    const events = stream(6);
    await first.outputAfter(key, pickFrom(events.slice(0, 1)));
    await second.outputAfter(key, pickFrom(events.slice(0, 3)));

    // Act: the first writer's cursor (event 1) is stale; its conditional write finds seq 2 taken.
    await first.outputAfter(key, pickFrom(events));

    // Assert
    expect(await lines()).toEqual(events.map((e) => [e.pos, e.line]));
  });

  it('picks nothing once the log cap is reached, and says the log is full', async () => {
    // Arrange
    const { first, key } = await twoWriters({ maxLogBytes: 64 });
    const big = [{ pos: 1, line: 'x'.repeat(100) }, ...stream(3).map((e) => ({ ...e, pos: e.pos + 1 }))];
    await first.outputAfter(key, pickFrom(big));
    let asked = 0;

    // Act
    await first.outputAfter(key, async (token) => (asked++, pickFrom(big)(token)));

    // Assert: nothing more is picked, and a launcher is told it may stop reading.
    expect(asked).toBe(0);
    expect(first.logFull(key)).toBe(true);
  });
});

describe('a fresh log (the launch says it held no line)', () => {
  it('stores the first batch at seq 1 without reading the tail', async () => {
    // Arrange
    const { deps, first, key, lines } = await twoWriters();
    const tail = vi.spyOn(deps.store.logs, 'tail');
    const events = stream(3);

    // Act
    await first.outputAfter(key, pickFrom(events.slice(0, 2)), { freshLog: true });
    await first.outputAfter(key, pickFrom(events), { freshLog: true });

    // Assert
    expect(tail).not.toHaveBeenCalled();
    expect(await lines()).toEqual(events.map((e) => [e.pos, e.line]));
  });

  it('reads the tail and stores each event once when another writer stored lines first', async () => {
    // Arrange: another container stored events 1..3; this one has no cursor and is told the log is fresh.
    const { deps, first, second, key, lines } = await twoWriters();
    const events = stream(6);
    await second.outputAfter(key, pickFrom(events.slice(0, 3)), { freshLog: true });
    const tail = vi.spyOn(deps.store.logs, 'tail');

    // Act: its write at seq 1 conflicts, so it reads the tail and picks again after event 3.
    await first.outputAfter(key, pickFrom(events), { freshLog: true });

    // Assert
    expect(tail).toHaveBeenCalledTimes(1);
    expect(await lines()).toEqual(events.map((e) => [e.pos, e.line]));
  });

  it('keeps no presumed position when nothing was picked: the ending reads the stored tail', async () => {
    // Arrange: another writer stored events 1..2; this recorder is told the log is fresh but picks nothing.
    const { deps, first, second, key } = await twoWriters();
    await second.outputAfter(key, pickFrom(stream(2)));
    await first.outputAfter(key, async () => undefined, { freshLog: true });
    const tail = vi.spyOn(deps.store.logs, 'tail');

    // Act
    await first.exited(key, { exitCode: 0, oomKilled: false, timedOut: false });

    // Assert: the final lastSeq comes from the tail as stored (2), not from a presumed empty log.
    expect(tail).toHaveBeenCalledTimes(1);
    await expect(tail.mock.results[0]!.value).resolves.toMatchObject({ lastSeq: 2 });
    expect((await deps.store.jobs.get(key))?.status).toBe('completed');
  });
});
