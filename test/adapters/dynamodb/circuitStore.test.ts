import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoCircuitStore } from '../../../lambdas/adapters/dynamodb';
import { CircuitOpenError, createCircuitBreaker } from '../../../lambdas/adapters/ssh';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';

describe('SSH circuit breakers kept in the table (createDynamoCircuitStore, on dynalite)', () => {
  let backend: DynamoBackend;
  beforeAll(async () => {
    backend = await startDynalite();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const newStore = async () => createDynamoCircuitStore({ tableName: await backend.newTable(), client: backend.client });
  const clock = () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('counts failures atomically across writers and opens once the threshold is reached', async () => {
    const store = await newStore();

    await Promise.all([1, 2, 3].map(() => store.recordFailure('srv-1', { threshold: 5, openUntil: 1_000, reopen: false })));
    const fourth = await store.recordFailure('srv-1', { threshold: 4, openUntil: 2_000, reopen: false });

    expect(fourth).toEqual({ failures: 4, openUntil: 2_000 });
    expect(await store.get('srv-1')).toEqual({ failures: 4, openUntil: 2_000 });
    await store.reset('srv-1');
    expect(await store.get('srv-1')).toBeUndefined();
  });

  it('gives the half-open trial lease to one of two racing runners, and again once the lease ran out', async () => {
    const store = await newStore();
    await store.recordFailure('srv-1', { threshold: 1, openUntil: 1_000, reopen: false });

    const [a, b] = await Promise.all([store.takeTrial('srv-1', 1_000, 61_000), store.takeTrial('srv-1', 1_000, 61_000)]);

    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await store.takeTrial('srv-1', 61_000, 121_000)).toBe(true);
  });

  it('lets two runner processes agree: one opens the circuit, the other fails fast without connecting', async () => {
    const store = await newStore();
    const c = clock();
    const runnerA = createCircuitBreaker({ serverId: 'srv-1', store, failureThreshold: 3, coolDownMs: 30_000, now: c.now });
    const runnerB = createCircuitBreaker({ serverId: 'srv-1', store, failureThreshold: 3, coolDownMs: 30_000, now: c.now });
    for (let i = 0; i < 3; i++) await runnerA.failed();

    const err = await runnerB.admit().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(runnerB.state).toBe('open');
    c.advance(30_000);
    await runnerB.admit();
    await expect(runnerA.admit()).rejects.toThrow(CircuitOpenError);
    await runnerB.succeeded();
    await expect(runnerA.admit()).resolves.toBeUndefined();
  });
});
