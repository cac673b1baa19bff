import { request, type IncomingHttpHeaders } from 'node:http';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { createLocalGateway } from '../../../lambdas/local/gateway';
import type { GatewayLogger, LocalGateway, LocalGatewayOptions } from '../../../lambdas/local/gateway';

/** A running gateway on an ephemeral loopback port. */
export interface StartedGateway {
  url: string;
  port: number;
  wsUrl: string;
  gateway: LocalGateway;
}

/** Returns a starter whose gateways are closed after each test. Handlers default to trivial ones. */
export const useGateway = (): ((o: Partial<LocalGatewayOptions>) => Promise<StartedGateway>) => {
  const running: LocalGateway[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((g) => g.close()));
  });
  return async (o) => {
    const gateway = createLocalGateway({
      host: '127.0.0.1',
      port: 0,
      rest: async () => ({ statusCode: 200, body: '' }),
      websocket: async () => ({ statusCode: 200 }),
      ...o,
    });
    running.push(gateway);
    const { url, port } = await gateway.listen();
    return { url, port, wsUrl: `ws://127.0.0.1:${port}/ws`, gateway };
  };
};

/** A logger that keeps what it was told. */
export const recordingLogger = (): {
  logger: GatewayLogger;
  entries: { level: string; details: Record<string, unknown>; message: string }[];
} => {
  const entries: { level: string; details: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (details: Record<string, unknown>, message: string) => {
    entries.push({ level, details, message });
  };
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, entries };
};

/** An authorizer result with one statement on `resource`. */
export const policy = (
  effect: 'Allow' | 'Deny',
  resource: string,
  context?: APIGatewayAuthorizerResult['context'],
): APIGatewayAuthorizerResult => ({
  principalId: 'tenant-1',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  ...(context ? { context } : {}),
});

/** A refused handshake: the HTTP status and body the gateway answered instead of 101. */
export interface Refusal {
  status: number;
  body: string;
}

/** Opens a WebSocket; resolves once open, rejects with a {@link Refusal} when the handshake is refused. */
export const openSocket = (url: string, o: { headers?: Record<string, string>; protocols?: string[] } = {}) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, o.protocols ?? [], { headers: o.headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a refusal is a status and body, asserted as such
      res.on('end', () => reject({ status: res.statusCode ?? 0, body } satisfies Refusal));
    });
    ws.once('error', reject);
  });

/** The refusal of a handshake that must not succeed. */
export const refusalOf = async (url: string, o?: { headers?: Record<string, string> }): Promise<Refusal> => {
  try {
    const ws = await openSocket(url, o);
    ws.terminate();
  } catch (refusal) {
    return refusal as Refusal;
  }
  throw new Error('the handshake was accepted');
};

/** Collects every text frame a socket receives. */
export const inbox = (ws: WebSocket): string[] => {
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(data.toString()));
  return frames;
};

/** Polls until `check` returns a value other than undefined. */
export const eventually = async <T>(check: () => T | undefined, timeoutMs = 3000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Resolves with the close code and reason of a socket. */
export const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

/** An HTTP exchange's outcome. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/**
 * Sends one HTTP request with headers in raw form (name casing and repeats kept as given).
 * `Host` is added first, as clients do.
 */
export const send = (
  base: string,
  o: { method?: string; path: string; headers?: [string, string][]; body?: string | Buffer },
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    const raw = [['Host', url.host], ...(o.headers ?? [])].flat();
    if (o.body !== undefined) raw.push('Content-Length', String(Buffer.byteLength(o.body)));
    const req = request(
      { host: url.hostname, port: url.port, method: o.method ?? 'GET', path: o.path, headers: raw, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
