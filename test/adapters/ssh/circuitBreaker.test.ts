import { describe, expect, it } from 'vitest';
import { CircuitOpenError, createCircuitBreaker, createMemoryCircuitStore } from '../../../lambdas/adapters/ssh';

const fakeClock = (start = Date.parse('2030-01-01T00:00:00Z')) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

const breakerWith = (clock: ReturnType<typeof fakeClock>) =>
  createCircuitBreaker({ serverId: 's1', failureThreshold: 3, coolDownMs: 30_000, now: clock.now });

const admitError = async (b: ReturnType<typeof breakerWith>): Promise<CircuitOpenError> => {
  try {
    await b.admit();
  } catch (err) {
    return err as CircuitOpenError;
  }
  throw new Error('admit() passed');
};

describe('circuit breaker', async () => {
  it('stays closed below the failure threshold', async () => {
    const b = breakerWith(fakeClock());
    await b.failed();
    await b.failed();
    await expect(b.admit()).resolves.toBeUndefined();
    expect(b.state).toBe('closed');
  });

  it('opens after N consecutive failures and names the time of the next trial', async () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) await b.failed();

    const err = await admitError(b);

    expect(b.state).toBe('open');
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.code).toBe('circuit_open');
    expect(err.retryAt).toBe(new Date(clock.now() + 30_000).toISOString());
    expect(err.message).toContain(err.retryAt);
  });

  it('counts only consecutive failures: a success in between resets the count', async () => {
    const b = breakerWith(fakeClock());
    await b.failed();
    await b.failed();
    await b.succeeded();
    await b.failed();
    await b.failed();
    await expect(b.admit()).resolves.toBeUndefined();
  });

  it('lets exactly one trial through after the cool-down (half-open)', async () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) await b.failed();
    clock.advance(29_999);
    await expect(b.admit()).rejects.toThrow(CircuitOpenError);

    clock.advance(1);
    await b.admit();

    expect(b.state).toBe('half-open');
    await expect(b.admit()).rejects.toThrow(CircuitOpenError);
  });

  it('closes when the trial succeeds', async () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) await b.failed();
    clock.advance(30_000);
    await b.admit();

    await b.succeeded();

    expect(b.state).toBe('closed');
    await expect(b.admit()).resolves.toBeUndefined();
  });

  it('opens again for a full cool-down when the trial fails', async () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) await b.failed();
    clock.advance(30_000);
    await b.admit();

    await b.failed();

    expect(b.state).toBe('open');
    expect((await admitError(b)).retryAt).toBe(new Date(clock.now() + 30_000).toISOString());
    clock.advance(30_000);
    await expect(b.admit()).resolves.toBeUndefined();
  });

  it('shares its state through the store: a second process sees the circuit open, and only one takes the trial', async () => {
    const clock = fakeClock();
    const store = createMemoryCircuitStore();
    const a = createCircuitBreaker({ serverId: 's1', failureThreshold: 3, coolDownMs: 30_000, now: clock.now, store });
    const b = createCircuitBreaker({ serverId: 's1', failureThreshold: 3, coolDownMs: 30_000, now: clock.now, store });
    await a.failed();
    await b.failed();
    await a.failed();

    await expect(b.admit()).rejects.toThrow(CircuitOpenError);
    clock.advance(30_000);
    await a.admit();
    await expect(b.admit()).rejects.toThrow(CircuitOpenError);

    await a.succeeded();
    await expect(b.admit()).resolves.toBeUndefined();
    expect(b.state).toBe('closed');
  });
});
