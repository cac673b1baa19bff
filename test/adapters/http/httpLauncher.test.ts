import type { ClientRequest, RequestOptions, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpLauncher, HttpExecutionNotFoundError, InvalidHttpSpecError } from '../../../lambdas/adapters/http';
import type { HttpLauncherOptions } from '../../../lambdas/adapters/http';
import type { Job } from '../../../lambdas/core/model';
import { withReportRetry, type ExecutionEvents } from '../../../lambdas/core';
import { createBackoffRetry } from '../../../lambdas/adapters/system';
import { createFakeEvents, httpJob, outputOf, startServer, stubResolver, type LocalServer } from './helpers';

/** Every connection the launcher attempts goes through node:http's request: record where it aims. */
const attempts = vi.hoisted(() => [] as string[]);
vi.mock('node:http', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:http')>();
  const request = (options: RequestOptions, ...rest: unknown[]): ClientRequest => {
    attempts.push(`${options.hostname}:${options.port}`);
    return (real.request as (...args: unknown[]) => ClientRequest)(options, ...rest);
  };
  return { ...real, request, default: { ...real, request } };
});

const LOOPBACK_ONLY = ['127.0.0.1/32'];

let server: LocalServer;
let hung: ServerResponse[] = [];
let fake: ReturnType<typeof createFakeEvents>;

beforeEach(async () => {
  attempts.length = 0;
  fake = createFakeEvents();
  hung = [];
  server = await startServer((req, res) => {
    const path = req.url.split('?')[0];
    switch (path) {
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json', 'x-trace': 'abc' });
        res.end(JSON.stringify({ hello: 'world', n: 1 }));
        return;
      case '/missing':
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such thing\n');
        return;
      case '/created':
        res.writeHead(201);
        res.end('made');
        return;
      case '/never':
        hung.push(res);
        return;
      case '/slow':
        hung.push(res);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part\n');
        return;
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(10_000));
        return;
      case '/binary':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]));
        return;
      case '/lines':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n'));
        return;
      case '/echo':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body: req.body, headers: req.headers }));
        return;
      default:
        if (path?.startsWith('/redirect/')) {
          const [, , status, ...rest] = path.split('/');
          const target = new URL(req.url, 'http://x').searchParams.get('to') ?? `/${rest.join('/')}`;
          res.writeHead(Number(status), { location: target });
          res.end('moved');
          return;
        }
        res.writeHead(500);
        res.end();
    }
  });
});

afterEach(async () => {
  for (const res of hung) res.destroy();
  await server.close();
});

const launcherWith = (o: Partial<HttpLauncherOptions> = {}) =>
  createHttpLauncher({ events: fake.events, allow: LOOPBACK_ONLY, resolve: stubResolver({}).resolve, ...o });

/** create then start, as the dispatcher does. */
const run = async (launcher: ReturnType<typeof createHttpLauncher>, job: Job) => {
  const ref = await launcher.create({ job, env: {}, workspace: {} });
  await launcher.start(ref, job);
  return ref;
};

describe('http launcher: responses', () => {
  it('reports a 200 JSON response as output.json with its log lines', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/json') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report).toMatchObject({ exitCode: 0, timedOut: false, oomKilled: false });
    expect(report.failure).toBeUndefined();
    const output = outputOf(report);
    expect(output).toMatchObject({ status: 200, statusText: 'OK', encoding: 'utf8', truncated: false, url: server.url('/json') });
    expect(JSON.parse(output.body)).toEqual({ hello: 'world', n: 1 });
    expect(output.headers).toMatchObject({ 'content-type': 'application/json', 'x-trace': 'abc' });
    const text = fake.textOf(job.id);
    expect(text[0]).toBe(`→ GET ${server.url('/json')}`);
    expect(text[1]).toMatch(/^← 200 OK \(\d+ ms, 23 bytes\)$/);
    expect(text[2]).toBe('{"hello":"world","n":1}');
    expect(fake.linesOf(job.id).every((l) => !Number.isNaN(Date.parse(l.ts)))).toBe(true);
    expect(fake.outputs.map((o) => o.resumeToken)).toEqual(['1', '3']);
  });

  it('fails a 404 with http_error naming the status, and still reports the response', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/missing') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.exitCode).toBe(1);
    expect(report.failure).toEqual({ code: 'http_error', message: `GET ${server.url('/missing')} answered 404 Not Found` });
    expect(outputOf(report)).toMatchObject({ status: 404, body: 'no such thing\n' });
    expect(fake.linesOf(job.id).at(-1)).toMatchObject({ stream: 'stderr', line: `✗ ${report.failure?.message}` });
  });

  it('fails a 200 when expectStatus asks for 201', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/json'), expectStatus: 201 });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.failure).toEqual({ code: 'http_error', message: `GET ${server.url('/json')} answered 200 OK (expected 201)` });
  });

  it('accepts exactly the expected status', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/created'), expectStatus: 201 });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.exitCode).toBe(0);
    expect(outputOf(report)).toMatchObject({ status: 201, body: 'made' });
  });

  it('sends the method, headers and body, with its own User-Agent unless one is given', async () => {
    const launcher = launcherWith({ userAgent: 'cronium-test/1' });
    const job = httpJob({
      method: 'POST',
      url: server.url('/echo'),
      headers: { 'X-Token': 't1', 'Content-Type': 'text/plain' },
      body: 'ping',
    });

    await run(launcher, job);
    await fake.waitForExit(job.id);

    expect(server.seen[0]).toMatchObject({ method: 'POST', body: 'ping' });
    expect(server.seen[0]?.headers).toMatchObject({
      'x-token': 't1',
      'content-type': 'text/plain',
      'content-length': '4',
      'user-agent': 'cronium-test/1',
      host: `127.0.0.1:${server.port}`,
    });
  });

  it('caps the body at maxBodyBytes and marks it truncated', async () => {
    const launcher = launcherWith({ maxBodyBytes: 1024 });
    const job = httpJob({ url: server.url('/big') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.exitCode).toBe(0);
    const output = outputOf(report);
    expect(output).toMatchObject({ truncated: true, bytes: 1024 });
    expect(output.body).toBe('x'.repeat(1024));
    expect(fake.textOf(job.id)).toContain('… body truncated at 1024 bytes');
  });

  it('reports a binary body as base64', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/binary') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    const output = outputOf(report);
    expect(output.encoding).toBe('base64');
    expect(Buffer.from(output.body, 'base64')).toEqual(Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]));
    expect(fake.textOf(job.id)).toContain('(binary body, 6 bytes: base64 in output.json)');
  });

  it('copies at most maxLogBodyBytes of body into the log, all of it into output.json', async () => {
    const launcher = launcherWith({ maxLogBodyBytes: 100 });
    const job = httpJob({ url: server.url('/lines') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    const text = fake.textOf(job.id);
    expect(text.length).toBeLessThan(20);
    expect(text.at(-1)).toMatch(/^… \d+ more lines not shown; the body is in output\.json$/);
    expect(outputOf(report).body.split('\n')).toHaveLength(500);
  });
});

describe('http launcher: timeouts and cancellation', () => {
  it('times out a server that never answers after timeoutMs', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/never'), timeoutMs: 200 });
    const started = Date.now();

    await run(launcher, job);
    const { report, at } = await fake.waitForExit(job.id);

    expect(report).toMatchObject({ timedOut: true, exitCode: 1 });
    expect(at - started).toBeGreaterThanOrEqual(190);
    expect(at - started).toBeLessThan(2_000);
    expect(fake.textOf(job.id).at(-1)).toBe(`✗ GET ${server.url('/never')} timed out after 200 ms (timeoutMs)`);
  });

  it("times out at the job's deadline when it comes before timeoutMs", async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/never'), timeoutMs: 60_000 }, { deadlineAt: Date.now() + 200 });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.timedOut).toBe(true);
    expect(fake.textOf(job.id).at(-1)).toContain("the job's deadline passed");
  });

  it('sends nothing when the deadline already passed', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/json') }, { deadlineAt: Date.now() - 1 });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.timedOut).toBe(true);
    expect(attempts).toEqual([]);
  });

  it('aborts a slow request on stop() and reports a cancelled exit at once', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/slow'), timeoutMs: 30_000 });
    const ref = await run(launcher, job);
    await fake.waitFor(() => (server.seen.length > 0 ? true : undefined), 5_000, 'the request to arrive');
    expect(await launcher.list()).toEqual([{ key: { tenant: job.tenant, jobId: job.id }, ref, running: true }]);

    const stopping = Date.now();
    await launcher.stop(ref);

    const exit = fake.exits.find((e) => e.key.jobId === job.id);
    expect(exit?.report).toMatchObject({
      exitCode: 1,
      timedOut: false,
      failure: { code: 'cancelled', message: `GET ${server.url('/slow')} was cancelled` },
    });
    expect(Date.now() - stopping).toBeLessThan(1_000);
    expect(await launcher.list()).toEqual([]);
  });

  it('reports a stop at or past the deadline (the reaper) as a timeout', async () => {
    let clock = Date.now();
    const launcher = launcherWith({ now: () => clock });
    const job = httpJob({ url: server.url('/never'), timeoutMs: 30_000 }, { deadlineAt: clock + 60_000 });
    const ref = await run(launcher, job);
    await fake.waitFor(() => (server.seen.length > 0 ? true : undefined), 5_000, 'the request to arrive');

    clock += 61_000;
    await launcher.stop(ref);

    expect(fake.exits[0]?.report.timedOut).toBe(true);
  });

  it('discards a created request on stop() without reporting anything', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/json') });
    const ref = await launcher.create({ job, env: {}, workspace: {} });

    await launcher.stop(ref);
    await launcher.stop('http:unknown:000000');

    expect(await launcher.list()).toEqual([]);
    expect(fake.exits).toEqual([]);
    expect(attempts).toEqual([]);
  });

  it('close() abandons requests in flight without reporting them and refuses new ones', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/never'), timeoutMs: 30_000 });
    await run(launcher, job);
    await fake.waitFor(() => (server.seen.length > 0 ? true : undefined), 5_000, 'the request to arrive');

    await launcher.close();

    expect(fake.exits).toEqual([]);
    await expect(launcher.create({ job: httpJob({ url: server.url('/json') }), env: {}, workspace: {} })).rejects.toMatchObject({
      code: 'internal',
    });
  });

  it('drain() resolves once every request has reported its exit', async () => {
    const launcher = launcherWith();
    const jobs = [httpJob({ url: server.url('/json') }), httpJob({ url: server.url('/missing') })];
    for (const job of jobs) await run(launcher, job);

    await launcher.drain();

    expect(fake.exits).toHaveLength(2);
  });
});

describe('http launcher: lifecycle contract', () => {
  it('recovers a failed exit and output report through the report path, losing nothing', async () => {
    const logged: object[] = [];
    let outputFailures = 1;
    let exitFailures = 1;
    const logger = { info: () => undefined, warn: () => undefined, error: (obj: object) => logged.push(obj) };
    const flaky: ExecutionEvents = {
      output: async (key, lines, token) => {
        if (outputFailures-- > 0) throw new Error('store down');
        await fake.events.output(key, lines, token);
      },
      exited: async (key, report) => {
        if (exitFailures-- > 0) throw new Error('store down');
        await fake.events.exited(key, report);
      },
    };
    const events = withReportRetry(flaky, { retry: createBackoffRetry({ retries: 2, initialDelayMs: 1, maxDelayMs: 5 }), logger });
    const launcher = launcherWith({ events, logger });
    const job = httpJob({ url: server.url('/json') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.exitCode).toBe(0);
    expect(fake.outputs.map((o) => o.resumeToken)).toEqual(['1', '3']);
    expect(logged).toEqual([]);
  });

  it('logs an output report that could not be recorded, with the job id, and still reports the exit', async () => {
    const logged: Record<string, unknown>[] = [];
    let outputFailures = 1;
    const launcher = launcherWith({
      events: {
        output: async (key, lines, token) => {
          if (outputFailures-- > 0) throw new Error('store down');
          await fake.events.output(key, lines, token);
        },
        exited: (key, report) => fake.events.exited(key, report),
      },
      logger: { info: () => undefined, warn: () => undefined, error: (obj) => logged.push(obj as Record<string, unknown>) },
    });
    const job = httpJob({ url: server.url('/json') });

    await run(launcher, job);
    const { report } = await fake.waitForExit(job.id);

    expect(report.exitCode).toBe(0);
    expect(logged).toEqual([
      expect.objectContaining({ jobId: job.id, err: expect.objectContaining({ phase: 'output', code: 'internal' }) }),
    ]);
    expect(fake.outputs.map((o) => o.resumeToken)).toEqual(['3']);
  });

  it('reports a reattached request as lost right away', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/json') }, { executionRef: 'http:gone:abcdef' });

    await launcher.reattach('http:gone:abcdef', job, '3');

    expect(fake.exits).toEqual([
      expect.objectContaining({
        key: { tenant: job.tenant, jobId: job.id },
        report: expect.objectContaining({ exitCode: 1, failure: expect.objectContaining({ code: 'lost' }) }),
      }),
    ]);
    expect(attempts).toEqual([]);
  });

  it('rejects start() of a ref it never created', async () => {
    const launcher = launcherWith();

    await expect(launcher.start('http:nope:1', httpJob({ url: server.url('/json') }))).rejects.toBeInstanceOf(HttpExecutionNotFoundError);
  });

  it('hands out http: refs and sends nothing on create', async () => {
    const launcher = launcherWith();
    const job = httpJob({ url: server.url('/json') });

    const ref = await launcher.create({ job, env: {}, workspace: {} });

    expect(ref).toMatch(new RegExp(`^http:${job.id}:[0-9a-f]{12}$`));
    expect(await launcher.list()).toEqual([{ key: { tenant: job.tenant, jobId: job.id }, ref, running: false }]);
    expect(server.seen).toEqual([]);
  });

  it.each([
    ['runtime', { runtime: 'bash' as const }],
    ['http.url', { http: { method: 'GET', url: 'ftp://127.0.0.1/x', headers: {}, timeoutMs: 1000 } }],
    ['http.url', { http: { method: 'GET', url: 'not a url', headers: {}, timeoutMs: 1000 } }],
    ['http.method', { http: { method: 'CONNECT', url: 'http://example.com/', headers: {}, timeoutMs: 1000 } }],
    ['http.headers.Host', { http: { method: 'GET', url: 'http://example.com/', headers: { Host: 'internal' }, timeoutMs: 1000 } }],
    ['http.headers.X-Bad', { http: { method: 'GET', url: 'http://example.com/', headers: { 'X-Bad': 'a\r\nb' }, timeoutMs: 1000 } }],
    ['http.timeoutMs', { http: { method: 'GET', url: 'http://example.com/', headers: {}, timeoutMs: 0 } }],
    ['http.expectStatus', { http: { method: 'GET', url: 'http://example.com/', headers: {}, timeoutMs: 1000, expectStatus: 42 } }],
  ] as const)('rejects a job whose %s cannot be sent, at create', async (field, partial) => {
    const launcher = launcherWith();
    const job = { ...httpJob({ url: 'http://example.com/' }), ...partial } as Job;

    const created = launcher.create({ job, env: {}, workspace: {} });

    await expect(created).rejects.toBeInstanceOf(InvalidHttpSpecError);
    await expect(created).rejects.toMatchObject({ code: 'invalid_input', field });
  });
});
