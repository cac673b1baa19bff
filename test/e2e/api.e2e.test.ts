import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Harness } from './harness';
import { apiClient, startHarness, waitForJob } from './harness';

describe('the REST API as a user meets it', () => {
  let h: Harness;
  let other: ApiClient;
  beforeAll(async () => {
    h = await startHarness();
    const { body } = await h.admin.post('/keys', { tenant: 'acme' });
    other = apiClient(h.local.url, body.key);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers health without a key', async () => {
    const res = await apiClient(h.local.url).get('/health');

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.components).sort()).toEqual(expect.arrayContaining(['docker', 'images', 'queue', 'store']));
  });

  it('refuses a request without a key or with a wrong one with 401', async () => {
    const none = await apiClient(h.local.url).get('/jobs');
    const wrong = await apiClient(h.local.url, 'crn_nope').get('/jobs');

    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(wrong.status).toBe(401);
  });

  it.each([
    ['an unknown runtime', { runtime: 'ruby', script: 'x' }, 'runtime'],
    ['a missing script', { runtime: 'python' }, 'script'],
    ['a script of the wrong type', { runtime: 'python', script: 42 }, 'script'],
    ['a timeout of the wrong type', { runtime: 'bash', script: 'true', timeoutSeconds: 'soon' }, 'timeoutSeconds'],
    ['a timeout over the maximum', { runtime: 'bash', script: 'true', timeoutSeconds: 10 ** 7 }, 'timeoutSeconds'],
    ['memory over the maximum', { runtime: 'bash', script: 'true', resources: { memoryMb: 10 ** 6 } }, 'resources.memoryMb'],
    ['an env value that is not a string', { runtime: 'bash', script: 'true', env: { A: 1 } }, 'env.A'],
    ['an unknown field', { runtime: 'bash', script: 'true', colour: 'blue' }, 'colour'],
  ])('rejects %s with a 400 naming the field', async (_what, body, field) => {
    const res = await h.admin.post('/jobs', body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain(field);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('rejects malformed JSON and an oversize body with a 4xx naming the body', async () => {
    const malformed = await h.admin.call('POST', '/jobs', undefined, '{"runtime": ');
    const oversize = await h.admin.post('/jobs', { runtime: 'bash', script: 'x'.repeat(2 * 1024 * 1024) });

    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^body/);
    expect([400, 413]).toContain(oversize.status);
    expect(oversize.body.error.message).toMatch(/body/);
  });

  it('rejects a bad cursor and a bad limit with a 400 naming them', async () => {
    const cursor = await h.admin.get('/jobs?cursor=not-a-cursor');
    const limit = await h.admin.get('/jobs?limit=0');

    expect(cursor.status).toBe(400);
    expect(cursor.body.error.message).toMatch(/^cursor/);
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toMatch(/^limit/);
  });

  it('answers an unknown job with 404 and an unknown route with 404', async () => {
    expect((await h.admin.get('/jobs/nope')).status).toBe(404);
    expect((await h.admin.get('/nowhere')).status).toBe(404);
    expect((await h.admin.call('PATCH', '/jobs')).status).toBe(405);
  });

  it("keeps tenants apart: another tenant's job is a 404 everywhere", async () => {
    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo mine' });
    await waitForJob(h.admin, body.id);

    expect((await other.get(`/jobs/${body.id}`)).status).toBe(404);
    expect((await other.get(`/jobs/${body.id}/logs`)).status).toBe(404);
    expect((await other.post(`/jobs/${body.id}/cancel`)).status).toBe(404);
    expect((await other.get('/jobs')).body.items.map((j: any) => j.id)).not.toContain(body.id);
  });

  it('lets only an admin create keys, and shows a key once', async () => {
    const byUser = await other.post('/keys', { tenant: 'evil' });
    const bad = await h.admin.post('/keys', { tenant: 'Not A Tenant' });

    expect(byUser.status).toBe(403);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^tenant/);
  });

  it('lists jobs newest first, filters by status and event, and pages with a cursor', async () => {
    const event = (await other.post('/events', { name: 'nightly', runtime: 'bash', script: 'echo nightly' })).body;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await other.post(`/events/${event.id}/runs`)).body.id);
    const adHoc = (await other.post('/jobs', { runtime: 'bash', script: 'exit 1' })).body.id;
    for (const id of [...ids, adHoc]) await waitForJob(other, id);

    const page1 = (await other.get('/jobs?limit=2')).body;
    const page2 = (await other.get(`/jobs?limit=2&cursor=${page1.nextCursor}`)).body;
    const ofEvent = (await other.get(`/jobs?eventId=${event.id}`)).body.items.map((j: any) => j.id);
    const failed = (await other.get('/jobs?status=failed')).body.items.map((j: any) => j.id);

    expect(page1.items.map((j: any) => j.id)).toEqual([adHoc, ids[2]]);
    expect(page2.items.map((j: any) => j.id)).toEqual([ids[1], ids[0]]);
    expect(ofEvent).toEqual([...ids].reverse());
    expect(failed).toEqual([adHoc]);
    expect((await other.get(`/jobs?eventId=${event.id}&status=failed`)).body.items).toEqual([]);
  });

  it('lists jobs by runtime and creation time, with status and event, paging with a cursor', async () => {
    const { body: key } = await h.admin.post('/keys', { tenant: 'listing' });
    const c = apiClient(h.local.url, key.key);
    const event = (await c.post('/events', { name: 'py', runtime: 'python', script: 'print(1)' })).body;
    const made: { id: string; runtime: string; createdAt: string; eventId?: string }[] = [];
    for (const runtime of ['python', 'bash', 'python', 'event', 'python', 'bash', 'event', 'python']) {
      const { body } =
        runtime === 'event'
          ? await c.post(`/events/${event.id}/runs`)
          : await c.post('/jobs', { runtime, script: runtime === 'bash' ? 'true' : 'print(1)' });
      made.push({ id: body.id, runtime: body.runtime, createdAt: body.createdAt, eventId: body.eventId });
    }
    for (const j of made) await waitForJob(c, j.id);
    const since = made[1]!.createdAt;
    const until = made[7]!.createdAt;
    const pythonInRange = made
      .filter((j) => j.runtime === 'python' && j.createdAt >= since && j.createdAt < until)
      .sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)))
      .map((j) => j.id);
    const all = async (q: string) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const res = await c.get(`/jobs?${q}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        pages.push(res.body.items.map((j: any) => j.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return pages;
    };
    const range = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;

    const paged = await all(`runtime=python&${range}&limit=2`);
    const ofEvent = await all(`runtime=python&eventId=${event.id}&status=completed&${range}`);
    const bash = await all('runtime=bash&status=completed');

    expect(pythonInRange).toHaveLength(4);
    expect(paged).toEqual([pythonInRange.slice(0, 2), pythonInRange.slice(2)]);
    expect(ofEvent).toEqual([[made[6]!.id, made[3]!.id]]);
    expect(bash).toEqual([[made[5]!.id, made[1]!.id]]);
  });

  it.each([
    ['runtime=ruby', /^runtime: must be one of bash, python, node, http, tool$/],
    ['since=yesterday', /^since: must be an ISO 8601 time/],
    ['until=2030-01-01', /^until: must be an ISO 8601 time/],
    ['since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z', /^until: must be after since$/],
  ])('rejects GET /jobs?%s with a 400 naming the field', async (q, message) => {
    const res = await other.get(`/jobs?${q}`);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toMatch(message);
  });

  it('manages events: create, read, update, list, run and delete', async () => {
    const created = await h.admin.post('/events', { name: 'greet', runtime: 'python', script: 'print("v1")' });
    const id = created.body.id;
    const updated = await h.admin.put(`/events/${id}`, { name: 'greet', runtime: 'python', script: 'print("v2")' });
    const run = await h.admin.post(`/events/${id}/runs`);
    const job = await waitForJob(h.admin, run.body.id);
    const lines = (await h.admin.get(`/jobs/${run.body.id}/logs`)).body.items.map((l: any) => l.line);
    const listed = (await h.admin.get('/events')).body.items.map((e: any) => e.id);
    const deleted = await h.admin.del(`/events/${id}`);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, name: 'greet', runtime: 'python', timeoutSeconds: 3600 });
    expect(updated.body.script).toBe('print("v2")');
    expect(run.status).toBe(202);
    expect(job).toMatchObject({ eventId: id, status: 'completed' });
    expect(lines).toEqual(['v2']);
    expect(listed).toContain(id);
    expect(deleted.status).toBe(204);
    expect((await h.admin.get(`/events/${id}`)).status).toBe(404);
    expect((await h.admin.post(`/events/${id}/runs`)).status).toBe(404);
  });
});
