import type { ClientRequest, RequestOptions } from 'node:http';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpLauncher } from '../../../lambdas/adapters/http';
import type { HttpLauncherOptions, Resolver } from '../../../lambdas/adapters/http';
import type { Job } from '../../../lambdas/core/model';
import {
  createFakeEvents,
  httpJob,
  outputOf,
  selfSignedCert,
  startServer,
  startTlsServer,
  stubResolver,
  type LocalServer,
} from './helpers';

/** Every connection the launcher attempts goes through node:http(s) request: record where it aims. */
const { attempts, recordingModule } = vi.hoisted(() => {
  const attempts: string[] = [];
  const recordingModule = <T extends { request: unknown }>(real: T): T => {
    const request = (options: RequestOptions, ...rest: unknown[]): ClientRequest => {
      attempts.push(`${options.hostname}:${options.port}`);
      return (real.request as (...args: unknown[]) => ClientRequest)(options, ...rest);
    };
    return { ...real, request, default: { ...real, request } };
  };
  return { attempts, recordingModule };
});
vi.mock('node:http', async (importOriginal) => recordingModule(await importOriginal<typeof import('node:http')>()));
vi.mock('node:https', async (importOriginal) => recordingModule(await importOriginal<typeof import('node:https')>()));

/** Dotted IPv4 built at run time, so no internal address is written out in the source. */
const ip = (...octets: number[]) => octets.join('.');
const METADATA = ip(169, 254, 169, 254);
const LOOPBACK_ONLY = ['127.0.0.1/32'];

let server: LocalServer;
let fake: ReturnType<typeof createFakeEvents>;

beforeEach(async () => {
  attempts.length = 0;
  fake = createFakeEvents();
  server = await startServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (url.pathname === '/echo') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, body: req.body, headers: req.headers }));
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (url.pathname === '/redirect') {
      res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/json' });
      res.end('moved');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});

afterEach(async () => {
  await server.close();
});

const launcherWith = (o: Partial<HttpLauncherOptions> = {}) =>
  createHttpLauncher({ events: fake.events, allow: LOOPBACK_ONLY, resolve: stubResolver({}).resolve, ...o });

const runToExit = async (o: Partial<HttpLauncherOptions>, job: Job) => {
  const launcher = launcherWith(o);
  const ref = await launcher.create({ job, env: {}, workspace: {} });
  await launcher.start(ref, job);
  return (await fake.waitForExit(job.id)).report;
};

const redirectTo = (to: string, status = 302) => server.url(`/redirect?status=${status}&to=${encodeURIComponent(to)}`);

describe('redirects', () => {
  it('follows a redirect to an allowed path', async () => {
    const job = httpJob({ url: redirectTo('/json') });

    const report = await runToExit({}, job);

    expect(report.exitCode).toBe(0);
    expect(outputOf(report)).toMatchObject({ status: 200, url: server.url('/json'), body: '{"ok":true}' });
    expect(fake.textOf(job.id).slice(0, 3)).toEqual([
      `→ GET ${redirectTo('/json')}`,
      `↪ 302 Found → ${server.url('/json')}`,
      `→ GET ${server.url('/json')}`,
    ]);
    expect(server.seen).toHaveLength(2);
  });

  it('turns a POST into a GET without body on 303', async () => {
    const job = httpJob({ method: 'POST', url: redirectTo('/echo', 303), headers: { 'Content-Type': 'text/plain' }, body: 'data' });

    const report = await runToExit({}, job);

    const echoed = JSON.parse(outputOf(report).body) as { method: string; body: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'GET', body: '' });
    expect(echoed.headers['content-type']).toBeUndefined();
    expect(echoed.headers['content-length']).toBeUndefined();
  });

  it('repeats method and body on 307', async () => {
    const job = httpJob({ method: 'PUT', url: redirectTo('/echo', 307), body: 'data' });

    const report = await runToExit({}, job);

    expect(JSON.parse(outputOf(report).body)).toMatchObject({ method: 'PUT', body: 'data' });
  });

  it('drops credentials on a redirect to another origin', async () => {
    const { resolve } = stubResolver({ 'api.test': ['127.0.0.1'] });
    const job = httpJob({
      url: `http://api.test:${server.port}/redirect?to=${encodeURIComponent(server.url('/echo'))}`,
      headers: { Authorization: 'Bearer secret', 'X-Keep': 'yes' },
    });

    const report = await runToExit({ resolve }, job);

    const echoed = JSON.parse(outputOf(report).body) as { headers: Record<string, string> };
    expect(server.seen[0]?.headers.authorization).toBe('Bearer secret');
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers['x-keep']).toBe('yes');
  });

  it('stops after maxRedirects', async () => {
    const loop = server.url('/loop');
    const job = httpJob({ url: loop });

    const report = await runToExit({ maxRedirects: 2 }, job);

    expect(report.failure?.code).toBe('http_error');
    expect(report.failure?.message).toContain('stopped after 2 redirects (the limit)');
    expect(server.seen).toHaveLength(3);
  });

  it('does not follow when expectStatus is the redirect itself', async () => {
    const job = httpJob({ url: redirectTo('/json', 302), expectStatus: 302 });

    const report = await runToExit({}, job);

    expect(report.exitCode).toBe(0);
    expect(outputOf(report)).toMatchObject({ status: 302, headers: { location: '/json' } });
    expect(server.seen).toHaveLength(1);
  });

  it('refuses a redirect to the metadata address without connecting to it', async () => {
    const job = httpJob({ url: redirectTo(`http://${METADATA}/latest/meta-data/`), timeoutMs: 3_000 });

    const report = await runToExit({}, job);

    expect(report.timedOut).toBe(false);
    expect(report.failure).toEqual({
      code: 'http_error',
      message:
        `GET http://${METADATA}/latest/meta-data/ (redirected from ${redirectTo(`http://${METADATA}/latest/meta-data/`)}) refused: ` +
        `${METADATA} is in a blocked range (linkLocal, cloud metadata); CRONIUM_HTTP_ALLOW opens ranges`,
    });
    expect(attempts).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('refuses a redirect to localhost when loopback is not allowed for every address it has', async () => {
    const { resolve, asked } = stubResolver({ localhost: ['127.0.0.1', '::1'] });
    const job = httpJob({ url: redirectTo(`http://localhost:${server.port}/json`) });

    const report = await runToExit({ resolve }, job);

    expect(report.failure?.message).toMatch(/refused: ::1 is in a blocked range \(loopback\); CRONIUM_HTTP_ALLOW opens ranges$/);
    expect(asked).toEqual(['localhost']);
    expect(server.seen).toHaveLength(1);
    expect(attempts).toHaveLength(1);
  });

  it('refuses a redirect to a scheme other than http(s)', async () => {
    const job = httpJob({ url: redirectTo('file:///etc/passwd') });

    const report = await runToExit({}, job);

    expect(report.failure?.message).toMatch(/refused: only http and https URLs are allowed$/);
    expect(attempts).toHaveLength(1);
  });
});

describe('address checks before connecting', () => {
  it('refuses a host that resolves to the metadata address, before any connection', async () => {
    const { resolve, asked } = stubResolver({ 'metadata.test': [METADATA] });
    const job = httpJob({ url: 'http://metadata.test/latest/meta-data/iam/' });

    const report = await runToExit({ resolve }, job);

    expect(report.exitCode).toBe(1);
    expect(report.failure?.message).toBe(
      `GET http://metadata.test/latest/meta-data/iam/ refused: ${METADATA} is in a blocked range (linkLocal, cloud metadata); CRONIUM_HTTP_ALLOW opens ranges`,
    );
    expect(asked).toEqual(['metadata.test']);
    expect(attempts).toEqual([]);
    expect(fake.textOf(job.id)).toEqual([`✗ ${report.failure?.message}`]);
  });

  it('refuses a host when any one of its addresses is blocked', async () => {
    const { resolve } = stubResolver({ 'mixed.test': ['93.184.216.34', ip(10, 0, 0, 7)] });
    const job = httpJob({ url: 'http://mixed.test/' });

    const report = await runToExit({ resolve }, job);

    expect(report.failure?.message).toMatch(/refused: .* is in a blocked range \(private\)/);
    expect(attempts).toEqual([]);
  });

  it('refuses an IPv4-mapped IPv6 loopback literal without an allow list', async () => {
    const job = httpJob({ url: `http://[::ffff:127.0.0.1]:${server.port}/json` });

    const report = await runToExit({ allow: [] }, job);

    expect(report.failure?.message).toMatch(/refused: ::ffff:.* is in a blocked range \(ipv4Mapped of loopback\)/);
    expect(attempts).toEqual([]);
    expect(server.connections).toBe(0);
  });

  it('checks numeric host spellings as the address they mean', async () => {
    const job = httpJob({ url: `http://0x7f.1:${server.port}/json` });

    const report = await runToExit({ allow: [] }, job);

    expect(report.failure?.message).toMatch(/refused: 127\.0\.0\.1 is in a blocked range \(loopback\)/);
    expect(attempts).toEqual([]);
  });

  it('refuses even 127.0.0.1 when nothing is allowed', async () => {
    const job = httpJob({ url: server.url('/json') });

    const report = await runToExit({ allow: [] }, job);

    expect(report.failure).toEqual({
      code: 'http_error',
      message: `GET ${server.url('/json')} refused: 127.0.0.1 is in a blocked range (loopback); CRONIUM_HTTP_ALLOW opens ranges`,
    });
    expect(attempts).toEqual([]);
    expect(server.connections).toBe(0);
  });

  it('connects to the address it checked, with Host naming the original host (no second lookup to rebind)', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls++;
      return [{ address: calls === 1 ? '127.0.0.1' : METADATA, family: 4 }];
    };
    const job = httpJob({ url: `http://api.test:${server.port}/echo` });

    const report = await runToExit({ resolve: rebinding }, job);

    expect(report.exitCode).toBe(0);
    expect(calls).toBe(1);
    expect(server.seen[0]?.headers.host).toBe(`api.test:${server.port}`);
  });

  it('fails with http_error when the name does not resolve', async () => {
    const job = httpJob({ url: 'http://nowhere.test/' });

    const report = await runToExit({}, job);

    expect(report.failure).toEqual({
      code: 'http_error',
      message: 'GET http://nowhere.test/ failed: could not resolve nowhere.test (no such host)',
    });
  });

  it('fails with http_error when the connection is refused', async () => {
    const closed = await startServer(() => undefined);
    const url = closed.url('/');
    await closed.close();
    const job = httpJob({ url });

    const report = await runToExit({}, job);

    expect(report.failure?.code).toBe('http_error');
    expect(report.failure?.message).toBe(`GET ${url} failed: connection refused (127.0.0.1:${closed.port})`);
  });
});

describe('https', () => {
  const hostname = 'api.cronium.test';
  let tls: { key: string; cert: string };
  beforeAll(() => {
    tls = selfSignedCert(hostname);
  });

  it('verifies the certificate against the URL host and sends it as SNI and Host, connected to the pinned address', async () => {
    const secure = await startTlsServer(tls, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('secure');
    });
    try {
      const { resolve } = stubResolver({ [hostname]: ['127.0.0.1'] });
      const job = httpJob({ url: `https://${hostname}:${secure.port}/` });

      const report = await runToExit({ resolve, ca: [tls.cert] }, job);

      expect(report.exitCode).toBe(0);
      expect(outputOf(report).body).toBe('secure');
      expect(secure.servernames).toEqual([hostname]);
      expect(secure.seen[0]?.headers.host).toBe(`${hostname}:${secure.port}`);
    } finally {
      await secure.close();
    }
  });

  it('fails with a TLS http_error for a certificate it does not trust', async () => {
    const secure = await startTlsServer(tls, (_req, res) => res.end('never'));
    try {
      const { resolve } = stubResolver({ [hostname]: ['127.0.0.1'] });
      const job = httpJob({ url: `https://${hostname}:${secure.port}/` });

      const report = await runToExit({ resolve }, job);

      expect(report.failure?.code).toBe('http_error');
      expect(report.failure?.message).toMatch(new RegExp(`failed: TLS error with ${hostname}: .*self[- ]signed certificate`));
      expect(secure.seen).toEqual([]);
    } finally {
      await secure.close();
    }
  });

  it('fails with a TLS http_error when the server does not speak TLS', async () => {
    const job = httpJob({ url: `https://127.0.0.1:${server.port}/` });

    const report = await runToExit({}, job);

    expect(report.failure?.code).toBe('http_error');
    expect(report.failure?.message).toContain('failed: TLS error with 127.0.0.1');
  });
});
