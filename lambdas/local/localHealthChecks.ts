import type { HealthCheck, Metrics } from '../core';
import type { LocalQueue, QueuePoller } from './queue';

/** The local queue: its poller is taking work; how many messages wait (counts only). */
export const localQueueHealthCheck = (o: {
  queue: LocalQueue;
  deadLetters: LocalQueue;
  poller: () => QueuePoller | undefined;
}): HealthCheck => ({
  component: 'queue',
  async check() {
    const stats = o.queue.stats();
    const details = { ...stats, deadLetters: o.deadLetters.stats().visible };
    return o.poller()?.isRunning()
      ? { status: 'ok', details }
      : { status: 'down', reason: 'the queue poller is not taking work (starting or stopping)', details };
  },
});

/**
 * Sets the SSH pool gauges from the executor's pool at scrape time, per server `host:port` (the
 * pool key's login and key fingerprint stay out); a server whose pool emptied reads 0.
 * `cronium_ssh_circuit_open` is 1 while a server's circuit is open or half-open (calls fail fast
 * but a trial's), 0 once it closed.
 */
export const sshPoolGauges = (
  poolStats: () => Record<string, { connections: number; active: number }>,
  circuitStates: () => Record<string, 'closed' | 'open' | 'half-open'> = () => ({}),
) => {
  const seen = new Set<string>();
  return (m: Metrics) => {
    const byServer = new Map<string, { connections: number; active: number }>();
    for (const [key, s] of Object.entries(poolStats())) {
      // `host:port:username:SHA256:…` (poolKeyOf): drop the login and the key's fingerprint.
      const parts = key.split(':');
      const server = parts.slice(0, parts.length - (key.includes(':SHA256:') ? 3 : 2)).join(':');
      const sum = byServer.get(server) ?? { connections: 0, active: 0 };
      byServer.set(server, { connections: sum.connections + s.connections, active: sum.active + s.active });
    }
    for (const server of seen) if (!byServer.has(server)) byServer.set(server, { connections: 0, active: 0 });
    for (const [server, s] of byServer) {
      seen.add(server);
      m.set('cronium_ssh_connections', s.connections, { server });
      m.set('cronium_ssh_sessions', s.active, { server });
    }
    for (const [server, state] of Object.entries(circuitStates()))
      m.set('cronium_ssh_circuit_open', state === 'closed' ? 0 : 1, { server });
  };
};
