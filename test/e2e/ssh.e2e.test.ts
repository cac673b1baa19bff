import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdHandle } from '../helpers/sshd';
import { startSshd } from '../helpers/sshd';
import type { Harness } from './harness';
import { openSocket, startHarness, waitForJob } from './harness';

describe('jobs on the user’s own servers over SSH, end to end', () => {
  let h: Harness;
  const sshds: SshdHandle[] = [];
  const ids: string[] = [];

  const addServer = async (sshd: SshdHandle, name: string, extra: Record<string, unknown> = {}) => {
    const res = await h.admin.post('/servers', {
      name,
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: Buffer.from(sshd.privateKeyPem).toString('base64'),
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) sshds.push(await startSshd());
    h = await startHarness({ CRONIUM_SSH_BREAKER_COOLDOWN_MS: '300' });
    for (const [i, sshd] of sshds.entries()) ids.push((await addServer(sshd, `web${i + 1}`)).id);
  });
  afterAll(async () => {
    await h?.close();
    for (const sshd of sshds) await sshd.stop();
  });

  it('keeps the key secret, tests the connection and trusts the host key on first use', async () => {
    const tested = await h.admin.post(`/servers/${ids[0]}/test`);
    const shown = (await h.admin.get(`/servers/${ids[0]}`)).body;

    expect(tested.body).toMatchObject({ ok: true, fingerprint: sshds[0]!.hostKeyFingerprint, remoteUser: sshds[0]!.user });
    expect(shown).toMatchObject({ hostKeyFingerprint: sshds[0]!.hostKeyFingerprint, hostKeyTrustedAt: expect.any(String) });
    expect(JSON.stringify(shown)).not.toMatch(/PRIVATE KEY|privateKey/);
    expect(JSON.stringify((await h.admin.get('/servers')).body)).not.toContain('PRIVATE KEY');
  });

  it('rejects a private key that is not one with a 400 naming privateKey', async () => {
    const res = await h.admin.post('/servers', { name: 'x', host: '127.0.0.1', username: 'u', privateKey: 'not-a-key' });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^privateKey/);
    expect(res.body.error.message).not.toContain('not-a-key');
  });

  it('runs one job on three servers at once, each with its own live lines, exit code and output', async () => {
    const script = [
      'import cronium, os, time',
      'print("hello from", os.environ["CRONIUM_WORKSPACE"] != "", flush=True)',
      'time.sleep(0.5)',
      'cronium.output({"n": cronium.input()["n"]})',
    ].join('\n');
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);

    const { body } = await h.admin.post('/jobs', { runtime: 'python', script, input: { n: 3 }, target: { type: 'ssh', serverIds: ids } });
    ws.subscribe(body.id);
    const job = await waitForJob(h.admin, body.id);
    await ws.waitFor((m) => m.type === 'status' && m.status === 'completed');

    expect(job.status).toBe('completed');
    expect(job.output).toEqual({ web1: { n: 3 }, web2: { n: 3 }, web3: { n: 3 } });
    expect(job.executions.map((e: any) => [e.serverName, e.status, e.exitCode])).toEqual([
      ['web1', 'completed', 0],
      ['web2', 'completed', 0],
      ['web3', 'completed', 0],
    ]);
    const servers = ws
      .logs(body.id)
      .map((m) => m.server)
      .sort();
    expect(servers).toEqual(['web1', 'web2', 'web3']);
    ws.close();
  });

  it('fails a job whose server shows another host key, naming the fingerprint seen', async () => {
    const pinned = await addServer(sshds[1]!, 'impostor', { hostKeyFingerprint: sshds[0]!.hostKeyFingerprint });

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo hi', target: { type: 'ssh', serverIds: [pinned.id] } });
    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({ status: 'failed', error: { code: 'host_key_mismatch' } });
    expect(job.error.message).toContain(sshds[1]!.hostKeyFingerprint);
  });

  it('fails with ssh_auth when the server does not accept the key', async () => {
    const other = await startSshd();
    sshds.push(other);
    const wrongKey = await addServer(sshds[0]!, 'wrong-key', { privateKey: other.privateKeyPem });

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo hi', target: { type: 'ssh', serverIds: [wrongKey.id] } });
    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({ status: 'failed', error: { code: 'ssh_auth' } });
  });

  it('opens a server’s circuit after repeated connection failures and closes it once the server is back', async () => {
    const flaky = await startSshd();
    sshds.push(flaky);
    const server = await addServer(flaky, 'flaky');
    const run = async () => {
      const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo up', target: { type: 'ssh', serverIds: [server.id] } });
      return waitForJob(h.admin, body.id);
    };
    await flaky.stop();

    const failures = [await run(), await run(), await run()];
    const fast = await run();
    await flaky.restart();
    await new Promise((r) => setTimeout(r, 400));
    const recovered = await run();

    expect(failures.map((j) => j.error.code)).toEqual(['ssh_unreachable', 'ssh_unreachable', 'ssh_unreachable']);
    expect(fast).toMatchObject({ status: 'failed', error: { code: 'circuit_open' } });
    expect(recovered.status).toBe('completed');
  });

  it('cancels a job running on two servers and tells subscribers', async () => {
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);
    const { body } = await h.admin.post('/jobs', {
      runtime: 'bash',
      script: 'echo started; sleep 30',
      target: { type: 'ssh', serverIds: [ids[0], ids[1]] },
    });
    ws.subscribe(body.id);
    await ws.waitFor((m) => m.type === 'logs' && m.lines.some((l: any) => l.line === 'started'));

    const cancelled = await h.admin.post(`/jobs/${body.id}/cancel`);
    await ws.waitFor((m) => m.type === 'status' && m.status === 'cancelled');

    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    ws.close();
  });

  it('ends a job over SSH at its timeout', async () => {
    const { body } = await h.admin.post('/jobs', {
      runtime: 'bash',
      script: 'echo started; sleep 30',
      timeoutSeconds: 1,
      target: { type: 'ssh', serverIds: [ids[0]] },
    });

    const job = await waitForJob(h.admin, body.id, 20_000);

    expect(job).toMatchObject({ status: 'timeout' });
    expect(job.durationMs).toBeLessThan(15_000);
  });
});
