import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Harness } from './harness';
import { startHarness } from './harness';

/** One answer from the control plane, or the reason there was none. */
interface Exchange {
  status: number;
  text: string;
}

/** Longest a single request may take before the fuzz test calls it a hang. */
const HANG_MS = 5_000;

/** What a stack trace or a leaked source location looks like in a response body. */
const STACK_TRACE = /\bat [\w$.<>]+ \(|\.[cm]?[jt]s:\d+|\/work\/|node_modules|file:\/\/|\bError: /;

/**
 * Sends one request exactly as given: the path is not normalized and headers keep their repeats,
 * which `fetch` would merge.
 * @throws Error('hang') past HANG_MS.
 */
const send = (base: string, o: { method: string; path: string; headers: [string, string][]; body?: Buffer }): Promise<Exchange> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    const headers = [['Host', url.host], ...o.headers];
    if (o.body !== undefined) headers.push(['Content-Length', String(o.body.length)]);
    const req = request(
      { host: url.hostname, port: url.port, method: o.method, path: o.path, headers: headers.flat(), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(HANG_MS, () => req.destroy(new Error(`hang: ${o.method} ${o.path.slice(0, 80)} had no answer in ${HANG_MS} ms`)));
    req.on('error', reject);
    req.end(o.body);
  });

/** Every route of the REST API (lambdas/handlers/rest/createRestRouter.ts) with its methods; `{id}`/`{key}` to be filled. */
const ROUTES: [string, string[]][] = [
  ['/health', ['GET']],
  ['/jobs', ['GET', 'POST']],
  ['/jobs/{id}', ['GET']],
  ['/jobs/{id}/logs', ['GET']],
  ['/jobs/{id}/cancel', ['POST']],
  ['/events', ['GET', 'POST']],
  ['/events/{id}', ['GET', 'PUT', 'DELETE']],
  ['/events/{id}/runs', ['POST']],
  ['/variables', ['GET']],
  ['/variables/{key}', ['PUT', 'DELETE']],
  ['/servers', ['GET', 'POST']],
  ['/servers/{id}', ['GET', 'PATCH', 'DELETE']],
  ['/servers/{id}/test', ['POST']],
  ['/keys', ['GET', 'POST']],
  ['/keys/{id}', ['DELETE']],
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Percent-escapes that are malformed, over-long UTF-8, or decode to characters that matter. */
const BAD_ESCAPES = ['%', '%2', '%ZZ', '%FF', '%C0%AF', '%E0%80%AF', '%ED%A0%80', '%25', '%2525', '%2F', '%00', '%0A', '%20', '%3F', '%23'];

/** A path segment where an id goes: real and plausible ids, bad escapes, long runs, any Unicode. */
const idSegment = (realIds: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...realIds) },
    fc.stringMatching(/^[0-9a-hjkmnp-tv-z]{26}$/),
    fc
      .array(fc.oneof(fc.constantFrom(...BAD_ESCAPES), fc.stringMatching(/^[A-Za-z0-9_.-]{1,4}$/)), { minLength: 1, maxLength: 6 })
      .map((p) => p.join('')),
    fc.integer({ min: 100, max: 5_000 }).map((n) => 'a'.repeat(n)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map(encodeURIComponent),
    fc.constantFrom('', '.', '..', 'constructor', '__proto__', 'null', '0', '-1', '1e21'),
  );

/** A method and a path: mostly a route's own methods, sometimes any; sometimes doubled or trailing slashes. */
const target = (realIds: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...ROUTES),
      fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, fc.constantFrom(...METHODS)),
      idSegment(realIds),
      fc.constantFrom('', '', '', '', '', '', '/', '//'),
      fc.constantFrom('', '', '', '', '/'),
    )
    .chain(([[route, methods], anyMethod, id, tail, lead]) =>
      fc.constantFrom(...methods).map((own) => ({
        method: anyMethod ?? own,
        path: `${lead}${route.replace(/\{id\}|\{key\}/, id)}${tail}`,
      })),
    );

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('status', 'eventId', 'limit', 'cursor', 'after', 'token'), fc.string({ maxLength: 8 })),
        fc.oneof(
          fc.constantFrom('-1', '0', '1e21', 'NaN', '9'.repeat(40), 'running', '', 'eyJ4IjoxfQ', 'e30'),
          fc.string({ unit: 'grapheme', maxLength: 30 }),
          fc.constantFrom(...BAD_ESCAPES),
          fc.base64String({ maxLength: 200 }),
        ),
      ),
      { maxLength: 4 },
    )
    .map(
      (pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${BAD_ESCAPES.includes(v) ? v : encodeURIComponent(v)}`).join('&')}`,
    ),
);

/** JSON values with the shapes that have broken stores: huge and tiny numbers, reserved keys, depth. */
const nastyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(1e21, -1e21, 5e-324, 1.5e300, 2 ** 53, 0.1, -0, 2 ** 60 + 2 ** 10, 'x'.repeat(70_000)),
    fc.jsonValue({ maxDepth: 2 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', ''), fc.string({ maxLength: 6 })),
      tie('value'),
      {
        maxKeys: 3,
      },
    ),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.integer({ min: 30, max: 40 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d)) as unknown),
  ),
})).value;

/** Bodies: near-valid requests carrying nasty values, random JSON, and text that is not JSON. */
const body = (eventId: string) =>
  fc
    .oneof(
      fc.constant(undefined),
      nastyJson.map((input) => ({ runtime: 'http', http: { method: 'GET', url: 'http://127.0.0.1:9/' }, input })),
      nastyJson.map((env) => ({ runtime: 'bash', script: 'true', env, timeoutSeconds: 1 })),
      nastyJson.map((input) => ({ input })),
      nastyJson.map((value) => ({ value, secret: false })),
      nastyJson.map((v) => ({ name: v, runtime: 'http', http: { method: 'GET', url: 'http://127.0.0.1:9/', headers: v } })),
      nastyJson.map((v) => ({ name: 'x', host: v, username: v, privateKey: v, port: v })),
      nastyJson.map((v) => ({ tenant: v, role: v })),
      nastyJson,
      fc.constant({ eventId }),
    )
    .map((v) => (v === undefined ? undefined : Buffer.from(JSON.stringify(v) ?? 'null')));

const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom('{', '{"runtime":', '[]', 'null', '"x"', '1e400', '{"__proto__":{"x":1}}', '\u0000').map((s) => Buffer.from(s)),
);

/** Authorization as callers send it, mostly right, sometimes absent, wrong or repeated. */
const authorization = (key: string) =>
  fc.oneof(
    { weight: 20, arbitrary: fc.constant<[string, string][]>([['Authorization', `Bearer ${key}`]]) },
    fc.constant<[string, string][]>([]),
    fc.constant<[string, string][]>([['Authorization', 'x']]),
    fc.constant<[string, string][]>([
      ['Authorization', 'Bearer crn_nope'],
      ['Authorization', `Bearer ${key}`],
    ]),
    fc.string({ maxLength: 40 }).map((s): [string, string][] => [['Authorization', `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`]]),
  );

const contentType = fc.constantFrom<[string, string][]>(
  [['Content-Type', 'application/json']],
  [],
  [['Content-Type', 'text/plain']],
  [['Content-Type', 'application/octet-stream']],
  [['Content-Type', 'application/json; charset=latin1']],
);

/** Frames past API Gateway's 128 KiB close the socket with 1009 by design; the fuzz stays below. */
const MAX_FRAME_BYTES = 100 * 1024;

/** A WebSocket frame: subscribe messages with random fields, other actions, and text that is not JSON. */
const wsFrame = (realIds: string[]) =>
  fc
    .oneof(
      fc
        .record(
          {
            action: fc.constantFrom('subscribe', 'subscribe', 'unsubscribe', '$default', ''),
            jobId: fc.oneof(idSegment(realIds), fc.integer(), fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 5_000 })),
            afterSeq: fc.oneof(fc.integer(), fc.constantFrom(1e21, -1, 1.5, 2 ** 53, 'x', null)),
          },
          { requiredKeys: ['action'] },
        )
        .map((m) => JSON.stringify(m)),
      nastyJson.map((v) => JSON.stringify(v) ?? 'null'),
      fc.string({ maxLength: 300 }),
    )
    .filter((frame) => Buffer.byteLength(frame) <= MAX_FRAME_BYTES);

describe('bad input never gets a 5xx, a stack trace or a hang (property-based, fixed seed)', () => {
  let h: Harness;
  let realIds: string[];
  let eventId: string;

  beforeAll(async () => {
    h = await startHarness();
    const event = await h.admin.post('/events', {
      name: 'fuzz',
      runtime: 'http',
      http: { method: 'GET', url: 'http://127.0.0.1:9/' },
    });
    const job = await h.admin.post('/jobs', { runtime: 'http', http: { method: 'GET', url: 'http://127.0.0.1:9/' } });
    expect([event.status, job.status]).toEqual([201, 202]);
    eventId = event.body.id;
    realIds = [event.body.id, job.body.id, 'API_TOKEN'];
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectSane = (what: string, status: number, text: string): void => {
    if (status >= 500) throw new Error(`${what} answered ${status}: ${text.slice(0, 300)}`);
    if (STACK_TRACE.test(text)) throw new Error(`${what} leaked a stack trace or path: ${text.slice(0, 300)}`);
  };

  it('answers every route and method with random ids, queries, headers and bodies below 500', async () => {
    const requests = fc.record({
      target: target(realIds),
      query: queryString,
      auth: authorization(h.local.adminKey),
      type: contentType,
      body: fc.oneof(body(eventId), rawBody),
    });

    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const { method, path } = r.target;
        const res = await send(h.local.url, { method, path: `${path}${r.query}`, headers: [...r.auth, ...r.type], body: r.body });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expectSane(`${method} ${`${path}${r.query}`.slice(0, 120)}`, res.status, res.text);
      }),
      { seed: 20_261_205, numRuns: 1_500, endOnFailure: true },
    );

    // The requests reached the handlers and their rules, not only the authorizer.
    for (const status of [200, 202, 400, 401, 404, 405]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  });

  it('answers every WebSocket frame without an internal error, a stack trace or a dropped connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wsFrame(realIds), { minLength: 1, maxLength: 8 }), fc.boolean(), async (frames, binary) => {
        const socket = new WebSocket(`${h.local.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(h.local.adminKey)}`);
        const replies: string[] = [];
        socket.on('message', (data) => replies.push((data as Buffer).toString('utf8')));
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        let closedWith: number | undefined;
        socket.once('close', (code) => (closedWith = code));
        for (const frame of frames) socket.send(binary ? Buffer.from(frame) : frame);
        // Frames of one connection are handled in order: an answer to this one means all were handled.
        const marker = `marker-${Date.now()}`;
        socket.send(JSON.stringify({ action: 'subscribe', jobId: marker }));
        const deadline = Date.now() + HANG_MS;
        while (!replies.some((r) => r.includes(marker)) && closedWith === undefined) {
          if (Date.now() > deadline) throw new Error(`hang: no answer to ${JSON.stringify(frames).slice(0, 200)}`);
          await new Promise((r) => setTimeout(r, 5));
        }
        socket.close();
        expect(closedWith).toBeUndefined();
        for (const reply of replies) {
          const message = JSON.parse(reply) as { type: string; code?: string };
          if (message.type === 'error' && message.code === 'internal')
            throw new Error(`internal error for ${JSON.stringify(frames).slice(0, 300)}`);
          expectSane('a WebSocket reply', 200, reply);
        }
      }),
      { seed: 20_261_205, numRuns: 60, endOnFailure: true },
    );
  });

  it('answers WebSocket handshakes with random tokens and query strings with 101 or a 4xx', async () => {
    const handshakes = fc.record({
      query: fc.oneof(
        fc.constant(`token=${encodeURIComponent(h.local.adminKey)}&token=crn_nope`),
        fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => `token=${encodeURIComponent(s)}`),
        fc.constantFrom(...BAD_ESCAPES).map((e) => `token=${e}`),
        queryString.map((q) => q.slice(1)),
      ),
    });

    await fc.assert(
      fc.asyncProperty(handshakes, async ({ query }) => {
        const status = await new Promise<number>((resolve, reject) => {
          const socket = new WebSocket(`${h.local.url.replace('http', 'ws')}/ws?${query}`);
          const timer = setTimeout(() => reject(new Error(`hang: handshake ?${query}`)), HANG_MS);
          socket.once('open', () => {
            clearTimeout(timer);
            socket.close();
            resolve(101);
          });
          socket.once('unexpected-response', (_req, res) => {
            clearTimeout(timer);
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          socket.once('error', () => {});
        });
        if (status !== 101 && (status < 400 || status >= 500)) throw new Error(`handshake ?${query} answered ${status}`);
      }),
      { seed: 20_261_205, numRuns: 40, endOnFailure: true },
    );
  });
});
