import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { apiClient, openSocket, startHarness, waitForJob } from './harness';

describe('variables and secrets, end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores variables per tenant and never returns a secret value', async () => {
    const put = await h.admin.put('/variables/API_TOKEN', { value: 'tok-3f9a7c21', secret: true });
    await h.admin.put('/variables/region', { value: 'eu-west-1' });
    const listed = (await h.admin.get('/variables')).body.items;
    const other = apiClient(h.local.url, (await h.admin.post('/keys', { tenant: 'other-team' })).body.key);

    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain('tok-3f9a7c21');
    expect(listed).toEqual([
      { key: 'API_TOKEN', secret: true, updatedAt: expect.any(String) },
      { key: 'region', secret: false, value: 'eu-west-1', updatedAt: expect.any(String) },
    ]);
    expect((await other.get('/variables')).body.items).toEqual([]);
    expect((await h.admin.put('/variables/bad%20key', { value: 1 })).status).toBe(400);
    expect((await h.admin.put('/variables/x', { secret: true })).body.error.message).toMatch(/^value/);
  });

  it('masks a secret printed whole, inside a line and across two writes, in stored and streamed logs', async () => {
    await h.admin.put('/variables/DB_PASSWORD', { value: 'pa55-w0rd-x9', secret: true });
    const script = [
      'echo "$DB_PASSWORD"',
      'echo "connecting with password=$DB_PASSWORD to db"',
      "printf 'pa55-w0'; sleep 0.3; printf 'rd-x9 (split)\\n'",
      'echo "$DB_PASSWORD" >&2',
    ].join('\n');
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script, env: { DB_PASSWORD: { fromVariable: 'DB_PASSWORD' } } });
    ws.subscribe(body.id);
    const job = await waitForJob(h.admin, body.id);
    await ws.waitFor((m) => m.type === 'status' && m.status === 'completed');
    const stored = (await h.admin.get(`/jobs/${body.id}/logs`)).body.items;
    const of = (stream: string) => stored.filter((l: any) => l.stream === stream).map((l: any) => l.line);

    expect(job.status).toBe('completed');
    // stdout and stderr are separate pipes: their lines keep their own order, not each other's.
    expect(of('stdout')).toEqual(['***', 'connecting with password=*** to db', '*** (split)']);
    expect(of('stderr')).toEqual(['***']);
    expect(JSON.stringify(ws.messages)).not.toContain('pa55-w0rd-x9');
    expect(JSON.stringify(job)).not.toContain('pa55-w0rd-x9');
    ws.close();
  });

  it('fails a job whose env names a missing variable with a message naming it', async () => {
    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'true', env: { X: { fromVariable: 'nope' } } });

    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({ status: 'failed', error: { code: 'invalid_input', message: 'env.X: variable "nope" does not exist' } });
  });

  it('passes an event run’s input to the script and stores its output and condition', async () => {
    const script = [
      'import json, os',
      'ws = os.environ["CRONIUM_WORKSPACE"]',
      'data = json.load(open(os.path.join(ws, "in/input.json")))',
      'json.dump({"doubled": data["n"] * 2}, open(os.path.join(ws, "out/output.json"), "w"))',
      'json.dump(data["n"] > 1, open(os.path.join(ws, "out/condition.json"), "w"))',
    ].join('\n');
    const event = (await h.admin.post('/events', { name: 'double', runtime: 'python', script })).body;

    const run = await h.admin.post(`/events/${event.id}/runs`, { input: { n: 21 } });
    const job = await waitForJob(h.admin, run.body.id);

    expect(job).toMatchObject({ status: 'completed', output: { doubled: 42 }, condition: true });
  });
});
