import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { startHarness, waitForJob } from './harness';

describe('http request jobs, end to end', () => {
  let h: Harness;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 5_000);
      if (req.url === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      res.writeHead(404).end('nothing here');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await startHarness({ CRONIUM_HTTP_ALLOW: '127.0.0.1/32' });
  });
  afterAll(async () => {
    await h?.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const run = async (http: Record<string, unknown>) => {
    const { body } = await h.admin.post('/jobs', { runtime: 'http', http: { method: 'GET', ...http } });
    return waitForJob(h.admin, body.id);
  };

  it('makes the request and keeps status, headers and body as the output', async () => {
    const job = await run({ url: `${base}/ok` });
    const lines = (await h.admin.get(`/jobs/${job.id}/logs`)).body.items.map((l: any) => l.line);

    expect(job).toMatchObject({ status: 'completed', output: { status: 200, body: '{"hello":"world"}' } });
    expect(job.output.headers['content-type']).toBe('application/json');
    expect(lines.join('\n')).toContain('200');
  });

  it('fails a 404 with http_error naming the status', async () => {
    const job = await run({ url: `${base}/missing` });

    expect(job).toMatchObject({ status: 'failed', error: { code: 'http_error' } });
    expect(job.error.message).toContain('404');
  });

  it('ends a request that outlives its timeout as timeout', async () => {
    const job = await run({ url: `${base}/slow`, timeoutMs: 300 });

    expect(job).toMatchObject({ status: 'timeout' });
  });

  it('refuses a redirect to the cloud metadata address, and the address itself', async () => {
    const redirected = await run({ url: `${base}/to-metadata` });
    const direct = await run({ url: 'http://169.254.169.254/latest/meta-data/' });

    expect(redirected).toMatchObject({ status: 'failed', error: { code: 'http_error' } });
    expect(redirected.error.message).toMatch(/refused|blocked/i);
    expect(direct).toMatchObject({ status: 'failed', error: { code: 'http_error' } });
  });

  it('rejects an http job without a request, or with a script, naming the field', async () => {
    const none = await h.admin.post('/jobs', { runtime: 'http' });
    const both = await h.admin.post('/jobs', { runtime: 'http', script: 'x', http: { method: 'GET', url: `${base}/ok` } });
    const badUrl = await h.admin.post('/jobs', { runtime: 'http', http: { method: 'GET', url: 'file:///etc/passwd' } });

    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^http/);
    expect(both.body.error.message).toMatch(/^script/);
    expect(badUrl.body.error.message).toMatch(/^http\.url/);
  });
});
