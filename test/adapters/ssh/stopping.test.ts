import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, type SshExecutorWithStats, type SshServer } from '../../../lambdas/adapters/ssh';
import { startSshd, type SshdHandle } from '../../helpers/sshd';
import { execution, exists, marker, outputCollector, remoteProcesses, serverOf, workspaceFrom } from './sshHarness';

let sshd: SshdHandle;
let ssh: SshExecutorWithStats;
let server: SshServer;
const events: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  server = serverOf(sshd);
  ssh = createSshExecutor({
    helpersDir: '/nonexistent',
    killGraceMs: 400,
    pool: { onConnect: () => events.push('connect'), onEvict: (e) => events.push(`evict:${e.reason}`) },
  });
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

/** Nothing of the job left: no process carrying its marker, no workspace directory. */
const expectNothingLeft = (m: string, text: string) => {
  expect(remoteProcesses(sshd.user, m)).toEqual([]);
  expect(exists(workspaceFrom(text))).toBe(false);
};

describe('timeout and cancel', () => {
  it('kills the script at its deadline and reports timedOut', async () => {
    const m = marker();
    const out = outputCollector();
    const started = Date.now();

    const report = await ssh.run(
      execution(server, 'bash', `echo "ws=$CRONIUM_WORKSPACE"; sleep ${m}; echo not-reached`, {
        deadlineAt: started + 600,
        onOutput: out.onOutput,
      }),
    );

    expect(report.timedOut).toBe(true);
    expect(report.exitCode).toBe(143);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(out.text()).not.toContain('not-reached');
    expectNothingLeft(m, out.text());
  });

  it('KILLs a script that ignores TERM once the grace is over', async () => {
    const m = marker();
    const out = outputCollector();

    const report = await ssh.run(
      execution(server, 'bash', `trap '' TERM; echo "ws=$CRONIUM_WORKSPACE"; sleep ${m}`, {
        deadlineAt: Date.now() + 500,
        onOutput: out.onOutput,
      }),
    );

    expect(report).toMatchObject({ timedOut: true, exitCode: 137 });
    expectNothingLeft(m, out.text());
  });

  it('kills the whole process group on cancel, children included, and reports cancelled', async () => {
    const m = marker();
    const out = outputCollector();
    const abort = new AbortController();
    const script = `echo "ws=$CRONIUM_WORKSPACE"; python3 -c "import time; time.sleep(${m})" & sleep ${m}`;

    const running = ssh.run(execution(server, 'bash', script, { signal: abort.signal, onOutput: out.onOutput }));
    await out.waitFor('ws=');
    await new Promise((r) => setTimeout(r, 100));
    expect(remoteProcesses(sshd.user, m).length).toBe(2);
    abort.abort();
    const report = await running;

    expect(report.failure).toEqual({ code: 'cancelled', message: 'cancelled' });
    expect(report.timedOut).toBe(false);
    expect(out.text('stderr')).toBe(''); // no shell chatter ("Terminated") in the job's log
    expectNothingLeft(m, out.text());
  });

  it('does not connect at all when the deadline has already passed', async () => {
    const before = events.length;
    const report = await ssh.run(execution(server, 'bash', 'true', { deadlineAt: Date.now() - 1 }));
    expect(report).toMatchObject({ timedOut: true, exitCode: -1 });
    expect(events.length).toBe(before);
  });

  it('stops a run waiting for a free session when it is cancelled', async () => {
    const narrow = createSshExecutor({ helpersDir: '/nonexistent', pool: { maxConnectionsPerServer: 1, maxSessionsPerConnection: 1 } });
    try {
      const m = marker();
      const out = outputCollector();
      const first = narrow.run(
        execution(server, 'bash', `echo "ws=$CRONIUM_WORKSPACE"; sleep ${m}`, { deadlineAt: Date.now() + 1_500, onOutput: out.onOutput }),
      );
      await out.waitFor('ws=');
      const abort = new AbortController();
      const second = narrow.run(execution(server, 'bash', 'echo must-not-run', { signal: abort.signal }));
      await new Promise((r) => setTimeout(r, 50));
      expect(Object.values(narrow.poolStats())[0]?.waiting).toBe(1);

      abort.abort();

      expect(await second).toMatchObject({ exitCode: -1, failure: { code: 'cancelled' } });
      expect((await first).timedOut).toBe(true);
      expectNothingLeft(m, out.text());
    } finally {
      await narrow.close();
    }
  });
});

describe('connection lost mid-run', () => {
  it('reports lost, and cleans up over a new connection: no process, no workspace', async () => {
    const m = marker();
    const out = outputCollector();

    const running = ssh.run(execution(server, 'bash', `echo "ws=$CRONIUM_WORKSPACE"; sleep ${m}`, { onOutput: out.onOutput }));
    await out.waitFor('ws=');
    const connectsBefore = events.filter((e) => e === 'connect').length;
    sshd.killConnections();
    const report = await running;

    expect(report.failure?.code).toBe('lost');
    expect(report.failure?.message).toContain(`127.0.0.1:${sshd.port}`);
    expect(events).toContain('evict:broken');
    expect(events.filter((e) => e === 'connect').length).toBe(connectsBefore + 1);
    expectNothingLeft(m, out.text());
  });
});

describe('connection lost for good', () => {
  it('leaves nothing behind even when the control plane cannot reconnect: the supervisor stops the job and removes its workspace', async () => {
    const lonely = createSshExecutor({ helpersDir: '/nonexistent', killGraceMs: 400, pool: { connectTimeoutMs: 400 } });
    const m = marker();
    const out = outputCollector();
    try {
      const running = lonely.run(execution(server, 'bash', `echo "ws=$CRONIUM_WORKSPACE"; sleep ${m}`, { onOutput: out.onOutput }));
      await out.waitFor('ws=');
      sshd.freeze();
      sshd.killConnections();

      const report = await running;

      expect(report.failure?.code).toBe('lost');
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline && (remoteProcesses(sshd.user, m).length > 0 || exists(workspaceFrom(out.text())))) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expectNothingLeft(m, out.text());
    } finally {
      sshd.thaw();
      await lonely.close();
    }
  });
});
