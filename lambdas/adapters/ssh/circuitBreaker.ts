// Not cockatiel's circuitBreaker: half-open, it holds other callers until the trial ends (ours fails
// them fast, naming the next trial), an error it does not handle (a refused login) leaves the count
// of consecutive failures as it was (ours resets it: the server answered), and it keeps its clock
// (Date.now) and opening time to itself, so CircuitOpenError's retryAt would need a record of ours.
import { CircuitOpenError } from './errors';
import type { BreakerOptions } from './types';

/** `closed`: calls pass. `open`: calls fail fast. `half-open`: one trial call is in flight. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Defaults of a breaker. */
export const DefaultBreakerOptions = { failureThreshold: 3, coolDownMs: 30_000 } as const;

/** One server's breaker (see createCircuitBreaker). */
export interface CircuitBreaker {
  readonly state: CircuitState;
  /**
   * Asks to attempt a connection. Passing in `open` after the cool-down turns the breaker
   * half-open and makes this call the trial; its outcome must be reported.
   * @throws CircuitOpenError while open, or while a trial is in flight.
   */
  admit(): void;
  /** A connection attempt reached the server (even if the login then failed). */
  succeeded(): void;
  /** A connection attempt could not reach the server. */
  failed(): void;
}

/**
 * A circuit breaker for connection attempts to one server. After `failureThreshold`
 * consecutive failures it opens: admit() throws at once, naming the time of the next trial.
 * After `coolDownMs` one trial is admitted (half-open): its success closes the circuit, its
 * failure opens it again for another cool-down. Only connection failures count; the caller
 * decides what is one (a refused login is not: the server answered).
 * @example
 * const breaker = createCircuitBreaker({ serverId: 's1', failureThreshold: 3, coolDownMs: 30_000 });
 * breaker.admit(); // throws CircuitOpenError while open
 * try { await connect(); breaker.succeeded(); } catch (e) { if (unreachable(e)) breaker.failed(); else breaker.succeeded(); throw e; }
 */
export const createCircuitBreaker = (o: BreakerOptions & { serverId: string }): CircuitBreaker => {
  const threshold = Math.max(1, o.failureThreshold ?? DefaultBreakerOptions.failureThreshold);
  const coolDownMs = Math.max(0, o.coolDownMs ?? DefaultBreakerOptions.coolDownMs);
  const now = o.now ?? Date.now;
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;

  const open = () => {
    state = 'open';
    openedAt = now();
  };

  return {
    get state() {
      return state;
    },
    admit() {
      if (state === 'closed') return;
      if (state === 'open' && now() >= openedAt + coolDownMs) {
        state = 'half-open';
        return;
      }
      // Half-open: the trial is in flight; its outcome is at most a connect timeout away.
      const retryAt = state === 'open' ? openedAt + coolDownMs : now();
      throw new CircuitOpenError(o.serverId, retryAt, failures);
    },
    succeeded() {
      state = 'closed';
      failures = 0;
    },
    failed() {
      failures++;
      if (state === 'half-open' || failures >= threshold) open();
    },
  };
};
