import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  createSshExecutor,
  SshAuthError,
  SshUnreachableError,
  type SshExecutorWithStats,
  type SshServer,
} from '../../../lambdas/adapters/ssh';
import { startSshd, type SshdHandle } from '../../helpers/sshd';
import { execution, serverOf, strangerKey } from './sshHarness';

let sshd: SshdHandle;
let ssh: SshExecutorWithStats;
let server: SshServer;
let connects = 0;
const coolDownMs = 300;

beforeAll(async () => {
  sshd = await startSshd();
  server = serverOf(sshd, { id: 'flaky' });
  ssh = createSshExecutor({
    helpersDir: '/nonexistent',
    breaker: { failureThreshold: 3, coolDownMs },
    pool: { connectTimeoutMs: 2_000, onConnect: () => connects++ },
  });
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('circuit breaker against a real server', () => {
  it('opens after 3 connection failures, fails fast, and closes again once the server is back', async () => {
    expect((await ssh.run(execution(server, 'bash', 'true'))).exitCode).toBe(0);
    await sshd.stop();

    // Three real attempts, each refused.
    for (let i = 0; i < 3; i++) {
      expect(await failure(ssh.run(execution(server, 'bash', 'true')))).toBeInstanceOf(SshUnreachableError);
    }
    expect(ssh.circuitState(server.id)).toBe('open');
    expect(ssh.circuitStates()).toEqual({ [`${server.host}:${server.port}`]: 'open' });

    // Now it fails at once, without connecting, and says when it will try again.
    const connectsBefore = connects;
    const started = performance.now();
    const open = (await failure(ssh.run(execution(server, 'bash', 'true')))) as CircuitOpenError;
    expect(performance.now() - started).toBeLessThan(50);
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(open.code).toBe('circuit_open');
    expect(Date.parse(open.retryAt)).toBeGreaterThan(Date.now());
    expect(connects).toBe(connectsBefore);

    // After the cool-down the trial goes through; the server is still down, so it opens again.
    await new Promise((r) => setTimeout(r, coolDownMs + 20));
    expect(await failure(ssh.run(execution(server, 'bash', 'true')))).toBeInstanceOf(SshUnreachableError);
    expect(await failure(ssh.run(execution(server, 'bash', 'true')))).toBeInstanceOf(CircuitOpenError);

    // The server comes back on the same port: still open until the cool-down is over …
    await sshd.restart();
    expect(await failure(ssh.run(execution(server, 'bash', 'true')))).toBeInstanceOf(CircuitOpenError);

    // … then the trial succeeds and closes the circuit.
    await new Promise((r) => setTimeout(r, coolDownMs + 20));
    expect((await ssh.run(execution(server, 'bash', 'true'))).exitCode).toBe(0);
    expect(ssh.circuitState(server.id)).toBe('closed');
    expect(ssh.circuitStates()).toEqual({ [`${server.host}:${server.port}`]: 'closed' });
    expect((await ssh.run(execution(server, 'bash', 'true'))).exitCode).toBe(0);
  });

  it('does not count refused logins: the server answered', async () => {
    const stranger = serverOf(sshd, { id: 'wrong-key', privateKey: strangerKey() });
    for (let i = 0; i < 5; i++) {
      expect(await failure(ssh.run(execution(stranger, 'bash', 'true')))).toBeInstanceOf(SshAuthError);
    }
    expect(ssh.circuitState('wrong-key')).toBe('closed');
  });
});
