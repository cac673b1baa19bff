import { silentLogger } from '../../core';
import { runCommand } from './channels';
import { createCircuitBreaker, createMemoryCircuitStore, type CircuitBreaker, type CircuitState } from './circuitBreaker';
import { openConnection } from './connect';
import { createConnectionPool, DefaultPoolOptions } from './connectionPool';
import { SshExecutorClosedError, SshUnreachableError } from './errors';
import { DefaultHelpersDir } from './helperFiles';
import { createPrivateKeyCache } from './privateKey';
import { runExecution } from './runExecution';
import type { SshExecutor, SshExecutorOptions, SshServer, SshTestResult } from './types';

/** Limit of each short remote step (mktemp, reading out/, rm, `id -un`). */
const StepTimeoutMs = 30_000;

/** An executor that also shows its pool, for metrics and tests. */
export interface SshExecutorWithStats extends SshExecutor {
  /** Open connections, busy leases and waiting runs per pool key. */
  poolStats(): Record<string, { connections: number; active: number; waiting: number }>;
  /** The circuit state of a server (`closed` for one never seen). */
  circuitState(serverId: string): CircuitBreaker['state'];
  /**
   * The circuit state of every server seen, by `host:port`; servers at one address (two tenants'
   * records of one host) show the worst of their states: `open`, then `half-open`, then `closed`.
   */
  circuitStates(): Record<string, CircuitState>;
}

const severity: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Runs scripts on users' servers over SSH with the workspace contract (docs/helpers/workspace.md): a private
 * `mktemp -d` workspace filled over SFTP (in/, out/, the runtime helpers, a 0600 env file),
 * the script in its own process group with live output, killed at its deadline or on cancel,
 * `out/` read back, the workspace always removed. Connections are pooled per server (keepalive,
 * bounded sessions, idle close) behind a circuit breaker per server.
 *
 * `run` resolves with an ExitReport once the script ran (or was stopped); its `failure` is
 * `cancelled`, `lost` (connection broke mid-run) or `launch_failed` (interpreter missing).
 * It rejects when the script could not run:
 * @throws InvalidKeyError, InvalidExecutionError (code `invalid_input`) before connecting.
 * @throws SshUnreachableError (`ssh_unreachable`), SshAuthError (`ssh_auth`),
 *   HostKeyMismatchError (`host_key_mismatch`), CircuitOpenError (`circuit_open`).
 * @throws SshLaunchError (`launch_failed`): the workspace could not be prepared or the script not started.
 * @throws SshExecutorClosedError after close().
 * @example
 * const ssh = createSshExecutor({ pool: { maxConnectionsPerServer: 2 } });
 * const report = await ssh.run({
 *   server, runtime: 'bash', env: {}, workspace: buildWorkspace(job, vars),
 *   deadlineAt: job.deadlineAt, signal, onOutput: (lines) => events.output(key, lines, ''),
 *   onHostKey: (fp) => servers.pin(server.id, fp),
 * });
 */
export const createSshExecutor = (o: SshExecutorOptions = {}): SshExecutorWithStats => {
  const logger = o.logger ?? silentLogger;
  const breakers = new Map<string, CircuitBreaker>();
  // Shared by every breaker of this executor, and on AWS by every runner instance (a table).
  const circuits = o.circuits ?? createMemoryCircuitStore();
  /** `host:port` of each server id a breaker was made for (metrics name servers by address, never by id). */
  const addresses = new Map<string, string>();
  const breakerFor = (target: { id: string; host: string; port: number }): CircuitBreaker => {
    addresses.set(target.id, `${target.host}:${target.port}`);
    let b = breakers.get(target.id);
    if (!b) {
      b = createCircuitBreaker({ ...o.breaker, serverId: target.id, store: circuits });
      breakers.set(target.id, b);
    }
    return b;
  };
  const pool = createConnectionPool({ options: o.pool, breakerFor, logger });
  const keys = createPrivateKeyCache();
  const poolOptions = { ...DefaultPoolOptions, ...o.pool };
  const deps = {
    pool,
    keys,
    helpersDir: o.helpersDir ?? DefaultHelpersDir,
    killGraceMs: o.killGraceMs ?? 5_000,
    stepTimeoutMs: StepTimeoutMs,
    logger,
  };
  let closed = false;

  return {
    async run(e) {
      if (closed) throw new SshExecutorClosedError();
      return runExecution(deps, e);
    },

    async test(server: SshServer): Promise<SshTestResult> {
      if (closed) throw new SshExecutorClosedError();
      const key = keys.get(server);
      const target = { id: server.id, host: server.host, port: server.port, username: server.username };
      const started = performance.now();
      let opened;
      try {
        // A fresh connection, not the pool's: the test is of connecting itself.
        opened = await openConnection({
          target,
          key,
          hostKeyFingerprint: server.hostKeyFingerprint,
          timeoutMs: poolOptions.connectTimeoutMs,
          keepaliveIntervalMs: 0,
          keepaliveCountMax: poolOptions.keepaliveCountMax,
        });
      } catch (err) {
        if (err instanceof SshUnreachableError) await breakerFor(server).failed();
        throw err;
      }
      await breakerFor(server).succeeded();
      try {
        const who = await runCommand(opened.client, 'id -un', { serverId: server.id, timeoutMs: StepTimeoutMs });
        return {
          fingerprint: opened.hostFingerprint,
          latencyMs: Math.round(performance.now() - started),
          remoteUser: who.stdout.trim(),
        };
      } finally {
        opened.client.end();
      }
    },

    async close() {
      closed = true;
      await pool.close();
    },

    poolStats: () => pool.stats(),
    circuitState: (serverId) => breakers.get(serverId)?.state ?? 'closed',
    circuitStates() {
      const states: Record<string, CircuitState> = {};
      for (const [id, breaker] of breakers) {
        const address = addresses.get(id)!;
        const seen = states[address];
        if (seen === undefined || severity[breaker.state] > severity[seen]) states[address] = breaker.state;
      }
      return states;
    },
  };
};
