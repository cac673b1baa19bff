import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSshExecutor,
  HostKeyMismatchError,
  SshAuthError,
  SshUnreachableError,
  type SshExecutorWithStats,
} from '../../../lambdas/adapters/ssh';
import { translateConnectError } from '../../../lambdas/adapters/ssh/connect';
import { startSshd, type SshdHandle } from '../../helpers/sshd';
import { execution, serverOf, strangerKey } from './sshHarness';

let sshd: SshdHandle;
let ssh: SshExecutorWithStats;
let stranger: string;

/** A port nothing listens on. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  sshd = await startSshd();
  ssh = createSshExecutor({ helpersDir: '/nonexistent', pool: { connectTimeoutMs: 3_000 } });
  stranger = strangerKey();
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

describe('host keys', () => {
  it('runs on a server whose pinned fingerprint matches', async () => {
    const server = serverOf(sshd, { id: 'pinned-ok', hostKeyFingerprint: sshd.hostKeyFingerprint });
    const seen: string[] = [];
    const report = await ssh.run(execution(server, 'bash', 'true', { onHostKey: async (fp) => void seen.push(fp) }));
    expect(report.exitCode).toBe(0);
    expect(seen).toEqual([]);
  });

  it('refuses a server whose host key differs from the pinned one, showing both fingerprints', async () => {
    const pinned = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const server = serverOf(sshd, { id: 'pinned-bad', hostKeyFingerprint: pinned });

    const err = await ssh.run(execution(server, 'bash', 'echo must-not-run')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect((err as HostKeyMismatchError).code).toBe('host_key_mismatch');
    expect((err as Error).message).toContain(pinned);
    expect((err as Error).message).toContain(sshd.hostKeyFingerprint);
  });

  it('refuses a mismatching pin even when a pooled connection to the server is already open', async () => {
    await ssh.run(execution(serverOf(sshd, { id: 'warm' }), 'bash', 'true'));
    const server = serverOf(sshd, { id: 'warm', hostKeyFingerprint: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
    await expect(ssh.run(execution(server, 'bash', 'true'))).rejects.toBeInstanceOf(HostKeyMismatchError);
  });

  it('trusts an unpinned server on first use and reports its fingerprint', async () => {
    const seen: string[] = [];
    const report = await ssh.run(
      execution(serverOf(sshd, { id: 'tofu' }), 'bash', 'true', { onHostKey: async (fp) => void seen.push(fp) }),
    );
    expect(report.exitCode).toBe(0);
    expect(seen).toEqual([sshd.hostKeyFingerprint]);
  });
});

describe('connection failures', () => {
  it('reports a key the server does not accept as ssh_auth, without the key', async () => {
    const server = serverOf(sshd, { id: 'stranger', privateKey: stranger });

    const err = await ssh.run(execution(server, 'bash', 'true')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SshAuthError);
    expect((err as SshAuthError).code).toBe('ssh_auth');
    expect((err as Error).message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    expect((err as Error).message).not.toContain(stranger.split('\n')[1]!.slice(0, 20));
  });

  it('reports a closed port as ssh_unreachable, naming host:port and what happened', async () => {
    const port = await closedPort();
    const server = serverOf(sshd, { id: 'nobody-home', port });

    const err = await ssh.run(execution(server, 'bash', 'true')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SshUnreachableError);
    expect((err as SshUnreachableError).code).toBe('ssh_unreachable');
    expect((err as Error).message).toBe(`cannot reach 127.0.0.1:${port}: connection refused`);
  });

  it('reports a host name that does not resolve as ssh_unreachable (DNS)', () => {
    // Translated from ssh2's error (a real lookup would leave 127.0.0.0/8).
    const dnsError = Object.assign(new Error('getaddrinfo ENOTFOUND'), { level: 'client-dns', code: 'ENOTFOUND' });
    const target = { id: 'no-dns', host: 'no-such-host.example', port: 22, username: 'u' };
    const err = translateConnectError(dnsError, { target, timeoutMs: 1000 }, { mismatch: false });
    expect(err).toBeInstanceOf(SshUnreachableError);
    expect(err.message).toBe('cannot reach no-such-host.example:22: host name not found (DNS)');
  });

  it('reports a server that never answers as ssh_unreachable (timed out)', async () => {
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    const quick = createSshExecutor({ helpersDir: '/nonexistent', pool: { connectTimeoutMs: 300 } });
    try {
      const err = await quick.run(execution(serverOf(sshd, { id: 'silent', port }), 'bash', 'true')).catch((e: unknown) => e);
      expect((err as SshUnreachableError).code).toBe('ssh_unreachable');
      expect((err as Error).message).toContain('timed out');
    } finally {
      await quick.close();
      silent.close();
    }
  });
});

describe('test()', () => {
  it('reports the fingerprint, the remote user and the latency over a fresh connection', async () => {
    const result = await ssh.test(serverOf(sshd));
    expect(result.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(result.remoteUser).toBe(sshd.user);
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('fails on a pinned mismatch like run() does', async () => {
    const server = serverOf(sshd, { hostKeyFingerprint: 'SHA256:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC' });
    await expect(ssh.test(server)).rejects.toBeInstanceOf(HostKeyMismatchError);
  });
});
