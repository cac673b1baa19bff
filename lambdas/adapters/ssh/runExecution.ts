import { ControlPlaneError, ErrorCodes, WorkspaceLayout, WorkspaceLimits } from '../../core';
import type { ExitReport, Logger, WorkspaceOutputs } from '../../core';
import { closeSftp, openSftp } from './channels';
import type { ConnectionPool, Lease } from './connectionPool';
import { InvalidExecutionError, SshChannelError, SshLaunchError, type SshTarget } from './errors';
import { loadHelpers, type HelperBundle, type UploadFile } from './helperFiles';
import type { createPrivateKeyCache } from './privateKey';
import { createOutputQueue } from './outputQueue';
import { startRemoteProcess, type RemoteExit, type RemoteProcess } from './remoteProcess';
import { buildEnvFile, buildRunScript, buildSupervisor, ControlFiles, LaunchFailedExit } from './remoteScripts';
import { makeWorkspace, readOutputs, removeWorkspace, uploadWorkspace, workspaceUploads } from './remoteWorkspace';
import { sftpOps } from './sftpOps';
import { createStopSignal, type StopReason } from './stopSignal';
import type { SshExecution, SshServer } from './types';

/** What runExecution needs from its executor. */
export interface RunDeps {
  pool: ConnectionPool;
  keys: ReturnType<typeof createPrivateKeyCache>;
  helpersDir: string;
  killGraceMs: number;
  /** Limit of each short remote step (mktemp, reading out/, rm). */
  stepTimeoutMs: number;
  logger: Logger;
}

/** After KILL, how long to wait for the exit before closing the channel on the job. */
const AbandonAfterKillMs = 5_000;

const targetOf = (s: SshServer): SshTarget => ({ id: s.id, host: s.host, port: s.port, username: s.username });

const stoppedReport = (reason: StopReason, exitCode = -1): ExitReport =>
  reason === 'timeout'
    ? { exitCode, oomKilled: false, timedOut: true }
    : { exitCode, oomKilled: false, timedOut: false, failure: { code: ErrorCodes.cancelled, message: 'cancelled' } };

const asLaunchError = (serverId: string, step: SshLaunchError['step'], err: unknown): ControlPlaneError => {
  if (err instanceof ControlPlaneError && !(err instanceof SshChannelError)) return err;
  return new SshLaunchError(serverId, step, err instanceof Error ? err.message : String(err), { cause: err });
};

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

/** The executor's variables, set after (so over) the job's own. */
const ownEnv = (ws: string, env: Record<string, string>, helpers: HelperBundle): Record<string, string> => ({
  [WorkspaceLayout.envVar]: ws,
  PYTHONUNBUFFERED: '1',
  PYTHONDONTWRITEBYTECODE: '1',
  ...(helpers.pythonPath ? { PYTHONPATH: env.PYTHONPATH ? `${ws}/lib/python:${env.PYTHONPATH}` : `${ws}/lib/python` } : {}),
  ...(helpers.bashEnv ? { BASH_ENV: `${ws}/lib/cronium.sh` } : {}),
});

/**
 * One run: a lease on a pooled connection, a private workspace (mktemp -d), the upload, the
 * supervised script with live output, the deadline/cancel kill, reading `out/` back, and the
 * workspace's removal, which always happens (over a fresh connection if the first one died).
 * @throws InvalidKeyError, InvalidExecutionError before connecting; SshUnreachableError,
 *   SshAuthError, HostKeyMismatchError, CircuitOpenError from connecting; SshLaunchError when
 *   the workspace could not be prepared or the script not started.
 */
export const runExecution = async (deps: RunDeps, e: SshExecution): Promise<ExitReport> => {
  const { server } = e;
  const target = targetOf(server);
  const key = deps.keys.get(server);
  const uploads = workspaceUploads(e.workspace);
  const scriptFile = WorkspaceLayout.scriptFile[e.runtime];
  if (!uploads.some((f) => f.path === scriptFile)) throw new InvalidExecutionError('workspace', `${scriptFile} is missing`);
  buildEnvFile(e.env, {}); // Rejects a bad env name now, before connecting.
  const helpers = await loadHelpers(deps.helpersDir);
  const stop = createStopSignal({ deadlineAt: e.deadlineAt, cancel: e.signal });
  const acquire = (signal?: AbortSignal) => deps.pool.acquire({ target, key, hostKeyFingerprint: server.hostKeyFingerprint, signal });

  try {
    if (stop.reason) return stoppedReport(stop.reason);
    let lease: Lease;
    try {
      lease = await acquire(stop.signal);
    } catch (err) {
      if (stop.reason && err === stop.signal.reason) return stoppedReport(stop.reason);
      throw err;
    }
    const session: Session = { lease, ws: undefined };
    try {
      return await runOnLease(deps, e, session, { target, helpers, uploads, stop, acquire });
    } finally {
      await cleanUp(deps, target, session, acquire);
    }
  } finally {
    stop.dispose();
  }
};

interface Session {
  lease: Lease;
  ws: string | undefined;
}

interface RunContext {
  target: SshTarget;
  helpers: HelperBundle;
  uploads: UploadFile[];
  stop: ReturnType<typeof createStopSignal>;
  acquire: (signal?: AbortSignal) => Promise<Lease>;
}

const runOnLease = async (deps: RunDeps, e: SshExecution, s: Session, c: RunContext): Promise<ExitReport> => {
  const { id } = c.target;
  const timeout = deps.stepTimeoutMs;
  try {
    s.ws = await makeWorkspace(s.lease.client, id, timeout);
  } catch (err) {
    // A reused connection may have died unnoticed: retry once on a fresh one.
    if (!(err instanceof SshChannelError) || !s.lease.reused) throw asLaunchError(id, 'workspace', err);
    s.lease.discard();
    s.lease.release();
    try {
      s.lease = await c.acquire(c.stop.signal);
    } catch (e2) {
      if (c.stop.reason && e2 === c.stop.signal.reason) return stoppedReport(c.stop.reason);
      throw e2;
    }
    s.ws = await makeWorkspace(s.lease.client, id, timeout).catch((e2: unknown) => {
      throw asLaunchError(id, 'workspace', e2);
    });
  }
  const ws = s.ws;
  if (!e.server.hostKeyFingerprint?.trim()) await e.onHostKey?.(s.lease.hostFingerprint);
  if (c.stop.reason) return stoppedReport(c.stop.reason);

  const graceSeconds = Math.ceil(deps.killGraceMs / 1000);
  const control: UploadFile[] = [
    { path: ControlFiles.env, content: Buffer.from(buildEnvFile(e.env, ownEnv(ws, e.env, c.helpers))), mode: 0o600 },
    { path: ControlFiles.run, content: Buffer.from(buildRunScript(ws, e.runtime)), mode: 0o700 },
    { path: ControlFiles.supervisor, content: Buffer.from(buildSupervisor(ws, graceSeconds)), mode: 0o700 },
  ];
  try {
    const sftp = await openSftp(s.lease.client, id);
    try {
      await uploadWorkspace(sftpOps(sftp), ws, [...c.uploads, ...c.helpers.files, ...control], id);
    } finally {
      await closeSftp(sftp);
    }
  } catch (err) {
    throw asLaunchError(id, 'upload', err);
  }
  if (c.stop.reason) return stoppedReport(c.stop.reason);

  let proc: RemoteProcess | undefined;
  const queue = createOutputQueue({
    deliver: e.onOutput,
    onError: (err, dropped) => deps.logger.error({ err, serverId: id, dropped }, 'ssh run: output could not be delivered; lines dropped'),
    onPressure: (paused) => proc?.setPaused(paused),
  });
  try {
    proc = await startRemoteProcess(s.lease.client, ws, { serverId: id, onLines: (lines) => queue.push(lines) });
  } catch (err) {
    throw asLaunchError(id, 'start', err);
  }
  const exit = await superviseUntilExit(proc, c.stop.signal, deps.killGraceMs);
  await queue.drain();

  const collected = exit.lost || s.lease.broken ? {} : await collect(deps, s.lease, ws, id, exit);
  const code = exit.code ?? -1;
  const outputs = collected.outputs ? { outputs: collected.outputs } : {};
  if (c.stop.reason) return { ...stoppedReport(c.stop.reason, code), ...outputs };
  if (exit.lost) {
    const message = `the connection to ${c.target.host}:${c.target.port} broke while the script ran`;
    return { exitCode: -1, oomKilled: false, timedOut: false, failure: { code: ErrorCodes.lost, message } };
  }
  if (collected.missing) {
    const message = `${collected.missing} is not installed on ${c.target.host} (server ${id}: not found on the PATH of ${c.target.username})`;
    return { exitCode: code, oomKilled: false, timedOut: false, failure: { code: ErrorCodes.launchFailed, message } };
  }
  return { exitCode: code, oomKilled: false, timedOut: false, ...outputs };
};

/** Waits for the job's end; on stop: TERM to its group, KILL after the grace, then gives up on the channel. */
const superviseUntilExit = async (proc: RemoteProcess, stop: AbortSignal, graceMs: number): Promise<RemoteExit> => {
  const timers: NodeJS.Timeout[] = [];
  const onStop = () => {
    proc.order('TERM');
    timers.push(setTimeout(() => proc.order('KILL'), graceMs));
    timers.push(setTimeout(() => proc.abandon(), graceMs + AbandonAfterKillMs));
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  try {
    return await proc.done;
  } finally {
    stop.removeEventListener('abort', onStop);
    for (const t of timers) clearTimeout(t);
  }
};

/** Reads `out/` (and, after the wrapper's launch-failure status, which interpreter was missing). */
const collect = async (
  deps: RunDeps,
  lease: Lease,
  ws: string,
  serverId: string,
  exit: RemoteExit,
): Promise<{ outputs?: WorkspaceOutputs; missing?: string }> => {
  try {
    const sftp = await openSftp(lease.client, serverId);
    try {
      const ops = sftpOps(sftp);
      const read = async () => {
        const outputs = await readOutputs(ops, ws, WorkspaceLimits.maxOutBytes);
        if (exit.code !== LaunchFailedExit) return { outputs };
        const marker = await ops.readBounded(`${ws}/${ControlFiles.launchError}`, 256).catch(() => undefined);
        return { outputs, missing: marker?.toString('utf8').trim() || undefined };
      };
      return await withTimeout(read(), deps.stepTimeoutMs, 'reading out/');
    } finally {
      await closeSftp(sftp);
    }
  } catch (err) {
    deps.logger.warn({ serverId, err: (err as Error).message }, 'ssh run: reading out/ failed');
    return {};
  }
};

/** Removes the workspace whatever happened; reconnects once when the run's connection is gone. */
const cleanUp = async (deps: RunDeps, target: SshTarget, s: Session, acquire: () => Promise<Lease>) => {
  const { ws } = s;
  const remove = (lease: Lease) => removeWorkspace(lease.client, ws!, { serverId: target.id, timeoutMs: deps.stepTimeoutMs });
  let removed = ws === undefined;
  if (!removed && !s.lease.broken) {
    removed = await remove(s.lease).catch(() => false);
  }
  s.lease.release();
  if (removed) return;
  try {
    const lease = await acquire();
    try {
      removed = await remove(lease);
    } finally {
      lease.release();
    }
  } catch (err) {
    deps.logger.error({ serverId: target.id, err: (err as Error).message }, 'ssh run: reconnecting to clean up failed');
  }
  if (!removed) deps.logger.error({ serverId: target.id, workspace: ws }, 'ssh run: workspace left behind');
};
