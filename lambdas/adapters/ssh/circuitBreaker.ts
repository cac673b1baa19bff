// Not cockatiel's circuitBreaker: half-open, it holds other callers until the trial ends (ours fails
// them fast, naming the next trial), an error it does not handle (a refused login) leaves the count
// of consecutive failures as it was (ours resets it: the server answered), and it keeps its state
// in memory, where ours is in a CircuitStore that many runner processes share.
import type { CircuitRecord, CircuitStore } from '../../core';
import { CircuitOpenError } from './errors';
import type { BreakerOptions } from './types';

/** `closed`: calls pass. `open`: calls fail fast. `half-open`: one trial call is in flight. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Defaults of a breaker. */
export const DefaultBreakerOptions = { failureThreshold: 3, coolDownMs: 30_000 } as const;

/** How long a half-open trial holds its lease: past it (a runner that died mid-trial) another may try. */
const TrialLeaseMs = 60_000;

/** One server's breaker (see createCircuitBreaker). */
export interface CircuitBreaker {
  /** The state this process last saw (for the cronium_ssh_circuit_open gauge). */
  readonly state: CircuitState;
  /**
   * Asks to attempt a connection. Passing in `open` after the cool-down turns the breaker
   * half-open and makes this call the trial; its outcome must be reported.
   * @throws CircuitOpenError while open, or while another caller's trial is in flight.
   */
  admit(): Promise<void>;
  /** A connection attempt reached the server (even if the login then failed). */
  succeeded(): Promise<void>;
  /** A connection attempt could not reach the server. */
  failed(): Promise<void>;
}

/** A CircuitStore in this process's memory: the default of one executor on its own (tests, one machine without a table). */
export const createMemoryCircuitStore = (): CircuitStore => {
  const records = new Map<string, CircuitRecord>();
  return {
    get: async (id) => (records.has(id) ? { ...records.get(id)! } : undefined),
    async recordFailure(id, o) {
      const before = records.get(id);
      const failures = (before?.failures ?? 0) + 1;
      const openUntil = o.reopen || failures >= o.threshold ? o.openUntil : before?.openUntil;
      const record: CircuitRecord = { failures, ...(openUntil !== undefined ? { openUntil } : {}) };
      records.set(id, record);
      return { ...record };
    },
    reset: async (id) => void records.delete(id),
    async takeTrial(id, now, until) {
      const record = records.get(id);
      if (record?.trialUntil !== undefined && record.trialUntil > now) return false;
      records.set(id, { ...record, failures: record?.failures ?? 0, trialUntil: until });
      return true;
    },
  };
};

/**
 * A circuit breaker for connection attempts to one server, its state in `store`. After
 * `failureThreshold` consecutive failures it opens: admit() throws at once, naming the time of the
 * next trial. After `coolDownMs` one trial is admitted (half-open; a conditional lease, so one for
 * every process sharing the store): its success closes the circuit, its failure opens it again for
 * another cool-down. Only connection failures count; the caller decides what is one (a refused
 * login is not: the server answered). A closed circuit costs one store read per new connection and
 * no write.
 * @example
 * const breaker = createCircuitBreaker({ serverId: 's1', store, failureThreshold: 3, coolDownMs: 30_000 });
 * await breaker.admit(); // throws CircuitOpenError while open
 * try { await connect(); await breaker.succeeded(); } catch (e) { if (unreachable(e)) await breaker.failed(); else await breaker.succeeded(); throw e; }
 */
export const createCircuitBreaker = (o: BreakerOptions & { serverId: string; store?: CircuitStore }): CircuitBreaker => {
  const threshold = Math.max(1, o.failureThreshold ?? DefaultBreakerOptions.failureThreshold);
  const coolDownMs = Math.max(0, o.coolDownMs ?? DefaultBreakerOptions.coolDownMs);
  const now = o.now ?? Date.now;
  const store = o.store ?? createMemoryCircuitStore();
  let state: CircuitState = 'closed';
  /** What the last admit saw: a success after a clean read writes nothing. */
  let dirty = false;
  let trial = false;

  return {
    get state() {
      return state;
    },
    async admit() {
      const record = await store.get(o.serverId);
      dirty = record !== undefined;
      if (record?.openUntil === undefined) {
        state = 'closed';
        return;
      }
      const at = now();
      if (at < record.openUntil) {
        state = 'open';
        throw new CircuitOpenError(o.serverId, record.openUntil, record.failures);
      }
      state = 'half-open';
      // One trial for every process sharing the store; the others fail fast until its outcome.
      if (await store.takeTrial(o.serverId, at, at + TrialLeaseMs)) {
        trial = true;
        return;
      }
      throw new CircuitOpenError(o.serverId, at, record.failures);
    },
    async succeeded() {
      if (dirty || trial) await store.reset(o.serverId);
      state = 'closed';
      dirty = false;
      trial = false;
    },
    async failed() {
      const record = await store.recordFailure(o.serverId, { threshold, openUntil: now() + coolDownMs, reopen: trial });
      trial = false;
      dirty = true;
      state = record.openUntil !== undefined && record.openUntil > now() ? 'open' : 'closed';
    },
  };
};
