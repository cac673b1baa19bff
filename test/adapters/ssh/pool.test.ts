import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, SshExecutorClosedError, type PoolOptions, type SshExecutorWithStats } from '../../../lambdas/adapters/ssh';
import { startSshd, type SshdHandle } from '../../helpers/sshd';
import { execution, outputCollector, serverOf } from './sshHarness';

let sshd: SshdHandle;
const executors: SshExecutorWithStats[] = [];

/** An executor whose pool events are recorded. */
const executorWith = (pool: PoolOptions = {}) => {
  const events: string[] = [];
  const ssh = createSshExecutor({
    helpersDir: '/nonexistent',
    pool: {
      ...pool,
      onConnect: (e) => events.push(`connect:${e.connectionId}`),
      onEvict: (e) => events.push(`evict:${e.connectionId}:${e.reason}`),
    },
  });
  executors.push(ssh);
  return { ssh, events, connects: () => events.filter((e) => e.startsWith('connect')).length };
};

const until = async (cond: () => boolean, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeAll(async () => {
  sshd = await startSshd();
});

afterAll(async () => {
  await Promise.all(executors.map((e) => e.close()));
  await sshd?.stop();
});

describe('connection pool', () => {
  it('reuses one connection for sequential runs', async () => {
    const { ssh, connects } = executorWith();
    const server = serverOf(sshd);

    for (let i = 0; i < 4; i++) expect((await ssh.run(execution(server, 'bash', 'echo hi'))).exitCode).toBe(0);

    expect(connects()).toBe(1);
    expect(Object.values(ssh.poolStats())).toEqual([{ connections: 1, active: 0, waiting: 0 }]);
  });

  it('evicts a broken connection and reconnects on the next run', async () => {
    const { ssh, events, connects } = executorWith();
    const server = serverOf(sshd);
    await ssh.run(execution(server, 'bash', 'true'));

    sshd.killConnections();
    await until(() => events.includes('evict:1:broken'));
    const report = await ssh.run(execution(server, 'bash', 'echo again'));

    expect(report.exitCode).toBe(0);
    expect(connects()).toBe(2);
  });

  it('runs right after its connection was killed, on a new one', async () => {
    const { ssh, connects } = executorWith({ keepaliveIntervalMs: 0 });
    const server = serverOf(sshd);
    await ssh.run(execution(server, 'bash', 'true'));

    sshd.killConnections();
    const out = outputCollector();
    const report = await ssh.run(execution(server, 'bash', 'echo survived', { onOutput: out.onOutput }));

    expect(report.exitCode).toBe(0);
    expect(out.text()).toBe('survived');
    expect(connects()).toBe(2);
  });

  it('bounds sessions per connection and queues the runs beyond', async () => {
    const { ssh, connects } = executorWith({ maxConnectionsPerServer: 1, maxSessionsPerConnection: 2 });
    const server = serverOf(sshd);
    let maxActive = 0;
    let maxWaiting = 0;
    const sampler = setInterval(() => {
      for (const s of Object.values(ssh.poolStats())) {
        maxActive = Math.max(maxActive, s.active);
        maxWaiting = Math.max(maxWaiting, s.waiting);
      }
    }, 5);

    const reports = await Promise.all(Array.from({ length: 5 }, () => ssh.run(execution(server, 'bash', 'sleep 0.2'))));
    clearInterval(sampler);

    expect(reports.map((r) => r.exitCode)).toEqual([0, 0, 0, 0, 0]);
    expect(connects()).toBe(1);
    expect(maxActive).toBe(2);
    expect(maxWaiting).toBeGreaterThanOrEqual(1);
  });

  it('opens a second connection only when the first is full', async () => {
    const { ssh, connects } = executorWith({ maxConnectionsPerServer: 2, maxSessionsPerConnection: 2 });
    const server = serverOf(sshd);

    await Promise.all(Array.from({ length: 2 }, () => ssh.run(execution(server, 'bash', 'sleep 0.1'))));
    expect(connects()).toBe(1);
    await Promise.all(Array.from({ length: 4 }, () => ssh.run(execution(server, 'bash', 'sleep 0.1'))));

    expect(connects()).toBe(2);
  });

  it('closes a connection left idle', async () => {
    const { ssh, events } = executorWith({ idleTimeoutMs: 150 });
    await ssh.run(execution(serverOf(sshd), 'bash', 'true'));

    await until(() => events.includes('evict:1:idle'));

    expect(ssh.poolStats()).toEqual({});
  });

  it('runs on three servers in parallel', async () => {
    const { ssh } = executorWith();
    const more = await Promise.all([startSshd(), startSshd()]);
    try {
      const servers = [sshd, ...more].map((s) => serverOf(s));
      const outs = servers.map(() => outputCollector());

      const reports = await Promise.all(
        servers.map((server, i) =>
          ssh.run(execution(server, 'python', `import time\ntime.sleep(0.2)\nprint("server ${i}")`, { onOutput: outs[i]!.onOutput })),
        ),
      );

      expect(reports.map((r) => r.exitCode)).toEqual([0, 0, 0]);
      expect(outs.map((o) => o.text())).toEqual(['server 0', 'server 1', 'server 2']);
      expect(Object.keys(ssh.poolStats())).toHaveLength(3);
    } finally {
      await Promise.all(more.map((s) => s.stop()));
    }
  });

  it('ends every connection on close() and refuses runs after it', async () => {
    const { ssh, events } = executorWith();
    await ssh.run(execution(serverOf(sshd), 'bash', 'true'));

    await ssh.close();

    expect(events).toContain('evict:1:closed');
    await expect(ssh.run(execution(serverOf(sshd), 'bash', 'true'))).rejects.toBeInstanceOf(SshExecutorClosedError);
  });
});
