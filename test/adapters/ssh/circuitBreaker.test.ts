import { describe, expect, it } from 'vitest';
import { CircuitOpenError, createCircuitBreaker } from '../../../lambdas/adapters/ssh';

const fakeClock = (start = Date.parse('2030-01-01T00:00:00Z')) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

const breakerWith = (clock: ReturnType<typeof fakeClock>) =>
  createCircuitBreaker({ serverId: 's1', failureThreshold: 3, coolDownMs: 30_000, now: clock.now });

const admitError = (b: ReturnType<typeof breakerWith>): CircuitOpenError => {
  try {
    b.admit();
  } catch (err) {
    return err as CircuitOpenError;
  }
  throw new Error('admit() passed');
};

describe('circuit breaker', () => {
  it('stays closed below the failure threshold', () => {
    const b = breakerWith(fakeClock());
    b.failed();
    b.failed();
    expect(() => b.admit()).not.toThrow();
    expect(b.state).toBe('closed');
  });

  it('opens after N consecutive failures and names the time of the next trial', () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) b.failed();

    const err = admitError(b);

    expect(b.state).toBe('open');
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.code).toBe('circuit_open');
    expect(err.retryAt).toBe(new Date(clock.now() + 30_000).toISOString());
    expect(err.message).toContain(err.retryAt);
  });

  it('counts only consecutive failures: a success in between resets the count', () => {
    const b = breakerWith(fakeClock());
    b.failed();
    b.failed();
    b.succeeded();
    b.failed();
    b.failed();
    expect(() => b.admit()).not.toThrow();
  });

  it('lets exactly one trial through after the cool-down (half-open)', () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) b.failed();
    clock.advance(29_999);
    expect(() => b.admit()).toThrow(CircuitOpenError);

    clock.advance(1);
    b.admit();

    expect(b.state).toBe('half-open');
    expect(() => b.admit()).toThrow(CircuitOpenError);
  });

  it('closes when the trial succeeds', () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) b.failed();
    clock.advance(30_000);
    b.admit();

    b.succeeded();

    expect(b.state).toBe('closed');
    expect(() => b.admit()).not.toThrow();
  });

  it('opens again for a full cool-down when the trial fails', () => {
    const clock = fakeClock();
    const b = breakerWith(clock);
    for (let i = 0; i < 3; i++) b.failed();
    clock.advance(30_000);
    b.admit();

    b.failed();

    expect(b.state).toBe('open');
    expect(admitError(b).retryAt).toBe(new Date(clock.now() + 30_000).toISOString());
    clock.advance(30_000);
    expect(() => b.admit()).not.toThrow();
  });
});
