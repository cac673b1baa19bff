import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../lambdas/adapters/dynamodb';
import { createIdGenerator } from '../../../lambdas/adapters/system';
import { createControlPlane, TooManyQueuedError } from '../../../lambdas/core';
import type { Store } from '../../../lambdas/core/ports';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';
import { callerFactory } from '../../helpers/factories';
import { createFakeClock } from '../../helpers/memory/createFakeClock';
import { createFakeLauncher } from '../../helpers/memory/createFakeLauncher';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';
import { createMemoryQueue } from '../../helpers/memory/createMemoryQueue';
import { createTestDeps } from '../../helpers/memory/createTestDeps';

const acme = callerFactory();
const exit0 = { exitCode: 0, oomKilled: false, timedOut: false };

describe("an event's own concurrency limit", () => {
  it('queue: a run above the limit waits, and the end of a run of that event offers it', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 4 } });
    const event = await h.cp.events.create(acme, { name: 'one', runtime: 'bash', script: 'x', concurrency: { max: 1, onLimit: 'queue' } });
    const first = await h.cp.events.run(acme, event.id);
    const second = await h.cp.events.run(acme, event.id);
    h.queue.take();
    expect(await h.cp.dispatch(keyOf(first))).toBe('launched');

    // Act
    const outcome = await h.cp.dispatch(keyOf(second));
    const whileWaiting = await h.stored(second);
    await h.cp.executions.exited(keyOf(first), exit0);

    // Assert
    expect(outcome).toBe('waiting');
    expect(whileWaiting.waitingForEvent).toBe(true);
    // A global slot was free all along, yet only the event's own slot offered it.
    expect(h.queue.messages.map((m) => m.key.jobId)).toEqual([second.id]);
    expect(await h.cp.dispatch(keyOf(second))).toBe('launched');
  });

  it('skip: a run above the limit ends cancelled with concurrency_limit', async () => {
    // Arrange
    const h = createHarness();
    const event = await h.cp.events.create(acme, { name: 'one', runtime: 'bash', script: 'x', concurrency: { max: 1, onLimit: 'skip' } });
    const first = await h.cp.events.run(acme, event.id);
    const second = await h.cp.events.run(acme, event.id);
    await h.cp.dispatch(keyOf(first));

    // Act
    const outcome = await h.cp.dispatch(keyOf(second));

    // Assert
    expect(outcome).toBe('skipped');
    const skipped = await h.stored(second);
    expect(skipped.status).toBe('cancelled');
    expect(skipped.error?.code).toBe('concurrency_limit');
  });

  it('a job waiting for its event does not hold back other events’ jobs from free global slots', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 2 } });
    const limited = await h.cp.events.create(acme, {
      name: 'one',
      runtime: 'bash',
      script: 'x',
      concurrency: { max: 1, onLimit: 'queue' },
    });
    const a = await h.cp.events.run(acme, limited.id);
    const b = await h.cp.events.run(acme, limited.id);
    const other = await h.submit(acme);
    await h.cp.dispatch(keyOf(a));
    await h.cp.dispatch(keyOf(b));

    // Act
    const outcome = await h.cp.dispatch(keyOf(other));

    // Assert
    expect(outcome).toBe('launched');
    expect(await h.store.jobs.nextWaiting(10)).toEqual([]);
    expect((await h.store.jobs.nextWaiting(10, { tenant: acme.tenant, eventId: limited.id })).map((j) => j.id)).toEqual([b.id]);
  });

  it('a crash between claim and launch leaves nothing stuck: the tick puts the job back and it runs', async () => {
    // Arrange: the first process dies while creating the execution (its dispatch never returns)
    const h = createHarness({ config: { staleClaimMs: 60_000 } });
    const event = await h.cp.events.create(acme, { name: 'one', runtime: 'bash', script: 'x', concurrency: { max: 1, onLimit: 'queue' } });
    const job = await h.cp.events.run(acme, event.id);
    h.queue.take();
    h.launcher.onCreate(() => new Promise<void>(() => {}));
    void h.cp.dispatch(keyOf(job));
    await new Promise((r) => setTimeout(r, 20));
    const stuck = await h.stored(job);
    const next = createHarness({
      store: h.store,
      queue: h.queue,
      clock: h.clock,
      launcher: createFakeLauncher(),
      config: { staleClaimMs: 60_000 },
    });

    // Act: another process's tick, after the claim went stale, then the message it sent
    h.clock.advance(120_000);
    const report = await next.cp.tick();
    const [message] = next.queue.take();
    const outcome = message ? await next.cp.dispatch(message.key) : 'no message';

    // Assert
    expect(stuck.status).toBe('claimed');
    expect(stuck.eventSlot).toBe(0);
    expect(report.requeued).toBe(1);
    expect(outcome).toBe('launched');
    expect(await next.store.slots.held({ tenant: acme.tenant, eventId: event.id })).toEqual([{ slot: 0, holder: keyOf(job) }]);
  });
});

describe('priority', () => {
  it('a freed slot goes to the highest-priority waiting job, then the oldest', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const oldLow = await h.submit(acme, { priority: 'low' });
    h.clock.advance(1000);
    const normal = await h.submit(acme);
    h.clock.advance(1000);
    const high = await h.submit(acme, { priority: 'high' });
    for (const j of [oldLow, normal, high]) await h.cp.dispatch(keyOf(j));
    h.queue.take();

    // Act
    await h.cp.executions.exited(keyOf(running), exit0);

    // Assert
    expect(h.queue.messages.map((m) => m.key.jobId)).toEqual([high.id]);
    expect((await h.store.jobs.nextWaiting(10)).map((j) => j.id)).toEqual([normal.id, oldLow.id]);
  });
});

describe('the tenant cap on queued jobs', () => {
  it('refuses a submission over the cap with a Retry-After, and admits again once one started', async () => {
    // Arrange
    const h = createHarness({ config: { maxQueuedPerTenant: 2 } });
    const first = await h.submit(acme);
    await h.submit(acme);

    // Act
    const refused = await errorOf(() => h.submit(acme));
    await h.cp.dispatch(keyOf(first));
    const admitted = await h.submit(acme);

    // Assert
    expect(refused).toBeInstanceOf(TooManyQueuedError);
    expect((refused as TooManyQueuedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as TooManyQueuedError).message).toMatch(/already has 2 jobs queued/);
    expect(admitted.status).toBe('queued');
    expect(await h.store.queued.list()).toEqual([{ tenant: acme.tenant, count: 2 }]);
  });

  it('counts another tenant apart', async () => {
    const h = createHarness({ config: { maxQueuedPerTenant: 1 } });
    await h.submit(acme);
    await expect(h.submit(callerFactory({ tenant: 'globex' }))).resolves.toMatchObject({ status: 'queued' });
  });

  it('the tick sets a drifted count back to the queued jobs', async () => {
    const h = createHarness({ config: { maxQueuedPerTenant: 5 } });
    await h.submit(acme);
    await h.store.queued.set(acme.tenant, 5);

    const report = await h.cp.tick();

    expect(report.queuedRecounted).toBe(1);
    expect(await h.store.queued.list()).toEqual([{ tenant: acme.tenant, count: 1 }]);
  });
});

describe('limits on one DynamoDB table (dynalite)', () => {
  let backend: DynamoBackend;
  beforeAll(async () => {
    backend = await startDynalite();
  });
  afterAll(async () => {
    await backend.stop();
  });

  const twoDispatchers = async (config: Record<string, number> = {}) => {
    const store: Store = createDynamoStore({ tableName: await backend.newTable(), client: backend.client });
    const queue = createMemoryQueue();
    const clock = createFakeClock();
    const launchers = [createFakeLauncher(), createFakeLauncher()];
    const cps = launchers.map((launcher) =>
      createControlPlane(createTestDeps({ store: store as never, queue, clock, launcher, ids: createIdGenerator(), config })),
    );
    return { store, queue, clock, launchers, cps: cps as [(typeof cps)[0], (typeof cps)[0]] };
  };

  it('two dispatchers racing a limit of 1 never run two runs of the event at once', async () => {
    // Arrange
    const { store, cps, launchers } = await twoDispatchers({ maxConcurrent: 8 });
    const [a, b] = cps;
    const event = await a.events.create(acme, { name: 'one', runtime: 'bash', script: 'x', concurrency: { max: 1, onLimit: 'queue' } });
    const runs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => a.events.run(acme, event.id)));

    // Act: every run dispatched by both at once (duplicate deliveries included)
    const outcomes = await Promise.all(runs.flatMap((r) => [a.dispatch(keyOf(r)), b.dispatch(keyOf(r))]));

    // Assert
    expect(outcomes.filter((o) => o === 'launched')).toHaveLength(1);
    const created = launchers.flatMap((l) => l.created.map((j) => j.id));
    expect(new Set(created).size).toBe(1);
    expect(await store.slots.held({ tenant: acme.tenant, eventId: event.id })).toHaveLength(1);
    const waiting = await store.jobs.nextWaiting(10, { tenant: acme.tenant, eventId: event.id });
    expect(waiting).toHaveLength(5);
  });

  it('a run ending hands the event slot to the next waiting run, highest priority first', async () => {
    // Arrange
    const { cps, queue, clock } = await twoDispatchers();
    const [a] = cps;
    const event = await a.events.create(acme, { name: 'one', runtime: 'bash', script: 'x', concurrency: { max: 1, onLimit: 'queue' } });
    const first = await a.events.run(acme, event.id);
    await a.dispatch(keyOf(first));
    clock.advance(1000);
    const older = await a.events.run(acme, event.id);
    clock.advance(1000);
    const newer = await a.events.run(acme, event.id);
    await a.dispatch(keyOf(newer));
    await a.dispatch(keyOf(older));
    queue.take();

    // Act
    await a.executions.exited(keyOf(first), exit0);

    // Assert
    expect(queue.take().map((m) => m.key.jobId)).toEqual([older.id]);
  });

  it('WAITING is read in priority order, then age', async () => {
    const { store, cps, clock } = await twoDispatchers({ maxConcurrent: 1 });
    const [a] = cps;
    const running = await a.jobs.submit(acme, { runtime: 'bash', script: 'x' });
    await a.dispatch(keyOf(running));
    const low = await a.jobs.submit(acme, { runtime: 'bash', script: 'x', priority: 'low' });
    clock.advance(1000);
    const normal = await a.jobs.submit(acme, { runtime: 'bash', script: 'x' });
    clock.advance(1000);
    const high = await a.jobs.submit(acme, { runtime: 'bash', script: 'x', priority: 'high' });
    for (const j of [low, normal, high]) await a.dispatch(keyOf(j));

    expect((await store.jobs.nextWaiting(10)).map((j) => j.id)).toEqual([high.id, normal.id, low.id]);
  });

  it('submissions racing at the tenant cap admit exactly the cap', async () => {
    const { store, cps } = await twoDispatchers({ maxQueuedPerTenant: 5 });
    const [a, b] = cps;

    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).jobs.submit(acme, { runtime: 'bash', script: 'x' })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof TooManyQueuedError)).toBe(true);
    expect(await store.queued.list()).toEqual([{ tenant: acme.tenant, count: 5 }]);
    expect(await store.jobs.countQueued(acme.tenant)).toBe(5);
  });
});
