import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { eventually, openSocket, startHarness, waitForJob } from './harness';

describe('live logs over WebSocket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replays stored lines after afterSeq in one frame, then live ones, with no gap and no duplicate', async () => {
    const script = 'for i in $(seq 1 120); do echo "line $i"; sleep 0.02; done';
    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script });
    await eventually(async () => ((await h.admin.get(`/jobs/${body.id}/logs`)).body.nextSeq >= 30 ? true : undefined));

    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);
    ws.subscribe(body.id, 10);
    const done = await ws.waitFor((m) => m.type === 'status' && m.status === 'completed');
    await eventually(async () => (ws.logs(body.id).at(-1)?.seq === done.lastSeq ? true : undefined), 5_000, 'the tail');

    const seqs = ws.logs(body.id).map((m) => m.seq);
    expect(done.lastSeq).toBe(120);
    expect(seqs).toEqual(Array.from({ length: 110 }, (_, i) => i + 11));
    expect(ws.logs(body.id).at(-1).line).toBe('line 120');
    // The replay of the 20+ lines stored before subscribing came as one frame.
    expect(ws.messages.find((m) => m.type === 'logs').lines.length).toBeGreaterThanOrEqual(20);
    ws.close();
  });

  it('gives two subscribers of one job the same complete stream', async () => {
    const a = await openSocket(h.local.wsUrl, h.local.adminKey);
    const b = await openSocket(h.local.wsUrl, h.local.adminKey);
    const { body } = await h.admin.post('/jobs', { runtime: 'python', script: 'for i in range(50): print(i, flush=True)' });
    a.subscribe(body.id);
    b.subscribe(body.id);

    await a.waitFor((m) => m.type === 'status' && m.status === 'completed');
    await b.waitFor((m) => m.type === 'status' && m.status === 'completed');
    await eventually(async () => (a.logs(body.id).length === 50 && b.logs(body.id).length === 50 ? true : undefined));

    const expected = Array.from({ length: 50 }, (_, i) => String(i));
    expect(a.logs(body.id).map((m) => m.line)).toEqual(expected);
    expect(b.logs(body.id).map((m) => m.line)).toEqual(expected);
    a.close();
    b.close();
  });

  it("refuses a subscription to another tenant's job", async () => {
    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo secret' });
    const key = (await h.admin.post('/keys', { tenant: 'intruder' })).body.key;
    const ws = await openSocket(h.local.wsUrl, key);

    ws.subscribe(body.id);
    const refusal = await ws.waitFor((m) => m.type === 'error');

    expect(refusal.code).toBe('not_found');
    expect(ws.logs(body.id)).toEqual([]);
    await waitForJob(h.admin, body.id);
    ws.close();
  });

  it('refuses a handshake with a wrong token and answers a malformed message with an error naming the field', async () => {
    await expect(openSocket(h.local.wsUrl, 'crn_wrong')).rejects.toThrow(/401|403/);
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);

    ws.socket.send(JSON.stringify({ action: 'subscribe' }));
    const error = await ws.waitFor((m) => m.type === 'error');

    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^jobId/) });
    ws.close();
  });
});

describe('the concurrency cap', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CRONIUM_MAX_CONCURRENT: '1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps jobs above the cap queued until a slot frees', async () => {
    const first = (await h.admin.post('/jobs', { runtime: 'bash', script: 'sleep 2' })).body.id;
    await eventually(async () => ((await h.admin.get(`/jobs/${first}`)).body.status === 'running' ? true : undefined));
    const second = (await h.admin.post('/jobs', { runtime: 'bash', script: 'echo second' })).body.id;

    await new Promise((r) => setTimeout(r, 700));
    const whileFull = (await h.admin.get(`/jobs/${second}`)).body.status;
    const a = await waitForJob(h.admin, first);
    const b = await waitForJob(h.admin, second);

    expect(whileFull).toBe('queued');
    expect(a.status).toBe('completed');
    expect(b.status).toBe('completed');
    expect(Date.parse(b.startedAt)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt));
  });
});
