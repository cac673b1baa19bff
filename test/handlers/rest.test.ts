import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const setup = () => {
  const deps = createTestDeps();
  const logged: unknown[] = [];
  deps.logger = { info() {}, warn() {}, error: (obj) => logged.push(obj) };
  const handler = createRestHandler(createControlPlane(deps), deps.logger);
  const call = async (...args: Parameters<typeof restEvent>) => {
    const res = await handler(restEvent(...args), fakeContext);
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
  };
  return { deps, call, logged };
};

describe('the REST handler', () => {
  it('answers a submitted job with 202 and its id and status, and enqueues it', async () => {
    const { call, deps } = setup();

    const res = await call('POST', '/jobs', { body: { runtime: 'python', script: 'print(1)' } });

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: expect.any(String), status: 'queued', runtime: 'python' });
    expect(res.body).not.toHaveProperty('tenant');
    expect(res.body).not.toHaveProperty('script');
    expect(res.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(deps.queue.messages).toHaveLength(1);
  });

  it.each([
    ['invalid_input', () => ({ body: { runtime: 'cobol', script: 'x' } }), 400, 'POST', '/jobs'],
    ['invalid_input (malformed JSON)', () => ({ raw: '{' }), 400, 'POST', '/jobs'],
    ['invalid_input (missing body)', () => ({}), 400, 'POST', '/jobs'],
    ['unauthorized (no authorizer context)', () => ({ noAuth: true }), 401, 'GET', '/jobs'],
    ['forbidden', () => ({ body: { tenant: 'x' } }), 403, 'POST', '/keys'],
    ['not_found (job)', () => ({}), 404, 'GET', '/jobs/nope'],
    ['not_found (route)', () => ({}), 404, 'GET', '/nope'],
    ['method_not_allowed', () => ({}), 405, 'DELETE', '/jobs'],
  ] as const)('maps %s to %s', async (_code, opts, status, method, path) => {
    const { call } = setup();

    const res = await call(method, path, opts());

    expect(res.status).toBe(status);
    expect(res.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
  });

  it('answers a known path with another method with 405 and the methods it has in Allow', async () => {
    const { call } = setup();

    const res = await call('DELETE', '/jobs');

    expect(res.status).toBe(405);
    expect(res.headers).toMatchObject({ allow: 'POST, GET', 'content-type': 'application/json' });
  });

  it('names the first bad field in a 400', async () => {
    const { call } = setup();

    const res = await call('POST', '/jobs', { body: { runtime: 'bash', script: 'x', resources: { memoryMb: 'lots' } } });

    expect(res.body.error.message).toMatch(/^resources\.memoryMb: /);
  });

  it('turns an unexpected failure into a bare 500 and logs the detail, never showing it', async () => {
    const { call, deps, logged } = setup();
    deps.store.jobs.list = async () => {
      throw new Error('disk on fire at /secret/path');
    };

    const res = await call('GET', '/jobs');

    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect((logged[0] as { err: Error }).err.message).toContain('disk on fire');
  });

  describe('GET /jobs', () => {
    /** Jobs a second apart: ids newest first, and the creation time of each. */
    const submitted = async (call: ReturnType<typeof setup>['call'], deps: ReturnType<typeof setup>['deps'], runtimes: string[]) => {
      const made: { id: string; runtime: string; createdAt: string }[] = [];
      for (const runtime of runtimes) {
        const { body } = await call('POST', '/jobs', { body: { runtime, script: 'true' } });
        made.push({ id: body.id, runtime, createdAt: body.createdAt });
        deps.clock.advance(1000);
      }
      return made;
    };
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((j) => j.id);

    it('filters by runtime and by creation time, since inclusive and until exclusive, newest first', async () => {
      const { call, deps } = setup();
      const [a, b, c, d] = await submitted(call, deps, ['bash', 'python', 'bash', 'node']);

      const bash = await call('GET', '/jobs', { query: { runtime: 'bash' } });
      const window = await call('GET', '/jobs', { query: { since: b!.createdAt, until: d!.createdAt } });
      const bashSince = await call('GET', '/jobs', { query: { runtime: 'bash', since: b!.createdAt, status: 'queued' } });
      // An offset names the same instant: one hour ahead of UTC.
      const shifted = new Date(Date.parse(c!.createdAt) + 3_600_000).toISOString().replace('Z', '+01:00');
      const untilOffset = await call('GET', '/jobs', { query: { until: shifted } });

      expect(bash.status).toBe(200);
      expect(ids(bash)).toEqual([c!.id, a!.id]);
      expect(ids(window)).toEqual([c!.id, b!.id]);
      expect(ids(bashSince)).toEqual([c!.id]);
      expect(ids(untilOffset)).toEqual([b!.id, a!.id]);
    });

    it('pages combined filters with a cursor, every page full but the last', async () => {
      const { call, deps } = setup();
      const made = await submitted(call, deps, ['python', 'bash', 'python', 'python', 'node', 'python', 'python', 'bash', 'python']);
      const since = made[1]!.createdAt;
      const until = made[8]!.createdAt;
      const expected = made
        .filter((j) => j.runtime === 'python' && j.createdAt >= since && j.createdAt < until)
        .map((j) => j.id)
        .reverse();

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const res = await call('GET', '/jobs', { query: { runtime: 'python', since, until, limit: '2', ...(cursor ? { cursor } : {}) } });
        pages.push(ids(res));
        cursor = res.body.nextCursor;
      } while (cursor);

      expect(expected).toHaveLength(4);
      expect(pages).toEqual([expected.slice(0, 2), expected.slice(2)]);
    });

    it.each([
      ['runtime', { runtime: 'cobol' }, /^runtime: must be one of bash, python, node, http, tool$/],
      ['since (no zone)', { since: '2030-01-01T00:00:00' }, /^since: must be an ISO 8601 time/],
      ['since (a date only)', { since: '2030-01-01' }, /^since: must be an ISO 8601 time/],
      ['until (not a time)', { until: 'tomorrow' }, /^until: must be an ISO 8601 time/],
      ['until equal to since', { since: '2030-01-01T00:00:00Z', until: '2030-01-01T01:00:00+01:00' }, /^until: must be after since$/],
      ['until before since', { since: '2030-01-02T00:00:00Z', until: '2030-01-01T00:00:00Z' }, /^until: must be after since$/],
    ])('answers a bad %s with a 400 naming the field', async (_what, query, message) => {
      const { call } = setup();

      const res = await call('GET', '/jobs', { query });

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.message).toMatch(message);
    });
  });

  it('pages logs with after and answers nextSeq', async () => {
    const { call, deps } = setup();
    const { body: job } = await call('POST', '/jobs', { body: { runtime: 'bash', script: 'x' } });
    await deps.store.logs.append(
      { tenant: 'acme', jobId: job.id },
      {
        lines: [1, 2, 3].map((seq) => ({ seq, stream: 'stdout' as const, ts: '2026-01-01T00:00:00Z', line: `l${seq}` })),
        totalBytes: 9,
      },
    );

    const res = await call('GET', `/jobs/${job.id}/logs`, { query: { after: '1', limit: '1' } });
    const bad = await call('GET', `/jobs/${job.id}/logs`, { query: { after: '-1' } });

    expect(res.body.items.map((l: { seq: number }) => l.seq)).toEqual([2]);
    expect(res.body.nextSeq).toBe(2);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^after/);
  });

  it('lets an operator create a key for another tenant and shows it once', async () => {
    const { call } = setup();

    const res = await call('POST', '/keys', { body: { tenant: 'globex' }, role: 'operator' });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      tenant: 'globex',
      role: 'user',
      createdAt: expect.any(String),
      key: expect.stringMatching(/^crn_/),
    });
  });
  it.each([
    ['1e21', 1e21, 'input'],
    ['a nested integer past 2^53', { a: [1.2345678901234568e29] }, 'input.a.0'],
    ['a constructor key', { constructor: 1 }, 'input.constructor'],
    ['a __proto__ key', JSON.parse('{"deep":{"__proto__":{"x":1}}}'), 'input.deep.__proto__'],
  ])('refuses a run input with %s with a 400 naming the field, on POST /jobs and POST /events/{id}/runs', async (_what, input, field) => {
    const { call } = setup();
    const { body: event } = await call('POST', '/events', { body: { name: 'e', runtime: 'bash', script: 'true' } });

    const submitted = await call('POST', '/jobs', { raw: `{"runtime":"bash","script":"true","input":${JSON.stringify(input) ?? ''}}` });
    const run = await call('POST', `/events/${event.id}/runs`, { raw: `{"input":${JSON.stringify(input)}}` });

    for (const res of [submitted, run]) {
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'invalid_input',
        message: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: `)),
      });
    }
  });

  it('refuses a run input over 64 KiB as JSON, naming input', async () => {
    const { call } = setup();

    const res = await call('POST', '/jobs', { body: { runtime: 'bash', script: 'true', input: 'x'.repeat(64 * 1024) } });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^input: must be at most 65536 bytes/);
  });

  it('keeps accepting inputs the job record holds: fractions, safe integers, keys named like Object methods', async () => {
    const { call } = setup();
    const input = { toString: 0.1, hasOwnProperty: [Number.MAX_SAFE_INTEGER, -0, null], nested: { ok: true } };

    const res = await call('POST', '/jobs', { body: { runtime: 'bash', script: 'true', input } });

    expect(res.status).toBe(202);
  });

  it.each([
    ['GET /jobs/% (what %25 decodes to)', 'GET', '/jobs/%'],
    ['GET /jobs/ + 2,100 characters', 'GET', `/jobs/${'a'.repeat(2100)}`],
    ['POST /jobs/%C0%AF/cancel', 'POST', '/jobs/%C0%AF/cancel'],
    ['POST /events/%ZZ/runs', 'POST', '/events/%ZZ/runs'],
    ['DELETE /servers/%FF', 'DELETE', '/servers/%FF'],
  ])('answers %s, an id no resource can have, with a 400 naming id', async (_what, method, path) => {
    const { call } = setup();

    const res = await call(method, path);

    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'invalid_input', message: expect.stringMatching(/^id: /) });
  });
});
