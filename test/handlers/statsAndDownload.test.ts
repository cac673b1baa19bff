import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../lambdas/core';
import { createControlPlane } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createLogDownloadStream, LAMBDA_DOWNLOAD_BUDGET, NEXT_AFTER_HEADER } from '../../lambdas/handlers/rest/logDownloadRoutes';
import { callerFactory } from '../helpers/factories';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const setup = async (lines: LogLine[] = []) => {
  const deps = createTestDeps();
  const cp = createControlPlane(deps);
  const handler = createRestHandler(cp);
  const job = await cp.jobs.submit(callerFactory(), { runtime: 'bash', script: 'echo' });
  const key = { tenant: 'acme', jobId: job.id };
  for (let i = 0; i < lines.length; i += 500) await deps.store.logs.append(key, { lines: lines.slice(i, i + 500), totalBytes: 0 });
  const call = (...args: Parameters<typeof restEvent>) => handler(restEvent(...args), fakeContext);
  return { cp, job, call };
};

/** A log at the default 4 MiB cap: short lines (the most overhead per byte), from two servers and two attempts. */
const logAtCap = (): (LogLine & { attempt?: number })[] => {
  const lines: (LogLine & { attempt?: number })[] = [];
  for (let bytes = 0, seq = 1; bytes < 4 * 1024 * 1024; seq++) {
    const line = `line ${seq} "quoted" ${'x'.repeat(seq % 60)}`;
    bytes += Buffer.byteLength(line) + 1;
    lines.push({
      seq,
      stream: seq % 7 ? 'stdout' : 'stderr',
      ts: '2031-01-01T00:00:00.000Z',
      line,
      server: seq % 2 ? 'web-1' : 'web-2',
      attempt: seq < 1000 ? 1 : 2,
    });
  }
  return lines;
};

describe('GET /stats through the REST handler', () => {
  it.each([
    [{ since: 'yesterday' }, 'since'],
    [{ until: '2031-13-01T00:00:00Z' }, 'until'],
    [{ eventId: 'a b' }, 'eventId'],
    [{ since: '2031-01-02T00:00:00Z', until: '2031-01-01T00:00:00Z' }, 'since'],
    [{ since: '2030-01-01T00:00:00Z', until: '2031-01-01T00:00:00Z' }, 'since'],
  ])('answers %j with a 400 naming %s', async (query, field) => {
    const { call } = await setup();
    const res = await call('GET', '/stats', { query });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.message).toMatch(new RegExp(`^${field}: `));
  });

  it("answers the caller's tenant's figures only", async () => {
    const { call, cp, job } = await setup();
    await cp.jobs.cancel(callerFactory(), job.id);
    const mine = JSON.parse((await call('GET', '/stats')).body);
    const theirs = JSON.parse((await call('GET', '/stats', { tenant: 'globex' })).body);
    expect(mine.total).toMatchObject({ jobs: 1, byStatus: { cancelled: 1 } });
    expect(theirs.total.jobs).toBe(0);
  });
});

describe('GET /jobs/{id}/logs/download through the REST handler (one Lambda payload)', () => {
  it('answers a log at the cap in parts under the payload limit that add up to the whole log, in both formats', async () => {
    const lines = logAtCap();
    const { call, job } = await setup(lines);
    for (const format of ['ndjson', 'text'] as const) {
      let after = 0;
      let body = '';
      const parts: number[] = [];
      for (;;) {
        const res = await call('GET', `/jobs/${job.id}/logs/download`, { query: { format, after: String(after) } });
        expect(res.statusCode).toBe(200);
        expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThan(6 * 1024 * 1024);
        expect(Buffer.byteLength(JSON.stringify(res.body)) - 2).toBeLessThanOrEqual(LAMBDA_DOWNLOAD_BUDGET);
        body += res.body;
        parts.push(res.body.length);
        const next = res.headers?.[NEXT_AFTER_HEADER];
        if (next === undefined) break;
        after = Number(next);
      }
      expect(parts.length).toBeGreaterThan(1);
      const got = body.split('\n').slice(0, -1);
      expect(got).toHaveLength(lines.length);
      if (format === 'ndjson') expect(got.map((l) => JSON.parse(l) as LogLine)).toEqual(lines);
      else {
        expect(got[0]).toBe(`2031-01-01T00:00:00.000Z stdout [attempt 1] [web-1] ${lines[0]!.line}`);
        expect(got.at(-1)).toContain(`[attempt 2] [${lines.at(-1)!.server}] ${lines.at(-1)!.line}`);
      }
    }
  });

  it('names the file and the format in the headers', async () => {
    const { call, job } = await setup([{ seq: 1, stream: 'stdout', ts: '2031-01-01T00:00:00.000Z', line: 'hi' }]);
    const text = await call('GET', `/jobs/${job.id}/logs/download`);
    const ndjson = await call('GET', `/jobs/${job.id}/logs/download`, { query: { format: 'ndjson' } });
    expect(text.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="cronium-job-${job.id}.log"`,
      'x-cronium-job-status': 'queued',
    });
    expect(text.body).toBe('2031-01-01T00:00:00.000Z stdout hi\n');
    expect(ndjson.headers).toMatchObject({ 'content-disposition': `attachment; filename="cronium-job-${job.id}.ndjson"` });
  });

  it.each([
    [{ format: 'xml' }, 'format'],
    [{ after: '-1' }, 'after'],
    [{ after: 'two' }, 'after'],
  ])('answers %j with a 400 naming %s', async (query, field) => {
    const { call, job } = await setup();
    const res = await call('GET', `/jobs/${job.id}/logs/download`, { query });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.message).toMatch(new RegExp(`^${field}: `));
  });

  it("answers another tenant's job with a 404", async () => {
    const { call, job } = await setup();
    expect((await call('GET', `/jobs/${job.id}/logs/download`, { tenant: 'globex' })).statusCode).toBe(404);
  });
});

describe('the streamed log download (local gateway)', () => {
  it('streams the whole log at the cap in one response, in chunks, with no next-after', async () => {
    const lines = logAtCap();
    const { cp, job } = await setup(lines);
    const stream = createLogDownloadStream(cp);
    const res = await stream(restEvent('GET', `/jobs/${job.id}/logs/download`, { query: { format: 'ndjson' } }));
    expect(res?.statusCode).toBe(200);
    expect(res?.headers).not.toHaveProperty(NEXT_AFTER_HEADER);
    const chunks: string[] = [];
    for await (const chunk of res!.body) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(10);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(128 * 1024);
    expect(
      chunks
        .join('')
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l) as LogLine),
    ).toEqual(lines);
  });

  it('leaves other requests to the REST handler and answers refusals as it does', async () => {
    const { cp, job } = await setup();
    const stream = createLogDownloadStream(cp);
    expect(await stream(restEvent('GET', `/jobs/${job.id}/logs`))).toBeUndefined();
    expect(await stream(restEvent('POST', `/jobs/${job.id}/logs/download`))).toBeUndefined();
    const other = await stream(restEvent('GET', `/jobs/${job.id}/logs/download`, { tenant: 'globex' }));
    expect(other?.statusCode).toBe(404);
    const bad = await stream(restEvent('GET', `/jobs/${job.id}/logs/download`, { query: { format: 'xml' } }));
    expect(bad?.statusCode).toBe(400);
    expect([...(bad!.body as string[])].join('')).toContain('format: ');
  });
});
