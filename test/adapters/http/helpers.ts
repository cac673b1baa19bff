import type { HttpJobOutput } from '../../../lambdas/adapters/http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resolver } from '../../../lambdas/adapters/http';
import type { HttpRequestSpec, Job, JobKey } from '../../../lambdas/core/model';
import type { ExecutionEvents, ExitReport, RawLine } from '../../../lambdas/core/ports/runtime';
import { jobFactory } from '../../helpers/factories';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request the local server received, body read. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local server on 127.0.0.1, port 0, that records what reaches it. */
export interface LocalServer {
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string;
  seen: SeenRequest[];
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

const listen = async (server: Server, seen: SeenRequest[], scheme: 'http' | 'https'): Promise<LocalServer> => {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path = '/') => `${scheme}://127.0.0.1:${port}${path}`,
    seen,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

/** Wraps a handler so that every request is recorded with its body before the handler runs. */
const recording =
  (seen: SeenRequest[], handler: (req: SeenRequest, res: ServerResponse) => void): RequestListener =>
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(entry);
      handler(entry, res);
    });
  };

/** Starts a plain HTTP server on 127.0.0.1:0. */
export const startServer = (handler: (req: SeenRequest, res: ServerResponse) => void): Promise<LocalServer> => {
  const seen: SeenRequest[] = [];
  return listen(createServer(recording(seen, handler)), seen, 'http');
};

/** A throwaway self-signed certificate for `hostname` (made with openssl, deleted at once). */
export const selfSignedCert = (hostname: string): { key: string; cert: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'cronium-http-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${hostname}`,
        '-addext',
        `subjectAltName=DNS:${hostname}`,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Starts an HTTPS server on 127.0.0.1:0; `servernames` records the SNI each client sent. */
export const startTlsServer = async (
  tls: { key: string; cert: string },
  handler: (req: SeenRequest, res: ServerResponse) => void,
): Promise<LocalServer & { servernames: string[] }> => {
  const seen: SeenRequest[] = [];
  const servernames: string[] = [];
  const server = createTlsServer(
    {
      ...tls,
      SNICallback: (name, cb) => {
        servernames.push(name);
        cb(null);
      },
    },
    recording(seen, handler),
  );
  return Object.assign(await listen(server, seen, 'https'), { servernames });
};

/** A resolver that answers from a table and records every name asked; unknown names fail like ENOTFOUND. */
export const stubResolver = (table: Record<string, string[]>) => {
  const asked: string[] = [];
  const resolve: Resolver = async (hostname) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
};

/** A running http job as the dispatcher hands it to start(). */
export const httpJob = (http: Partial<HttpRequestSpec> & { url: string }, partial: Partial<Job> = {}): Job =>
  jobFactory({
    status: 'running',
    runtime: 'http',
    script: undefined,
    http: { method: 'GET', headers: {}, timeoutMs: 5_000, ...http },
    ...partial,
  });

export interface ExitedCall {
  key: JobKey;
  report: ExitReport;
  at: number;
}

/** In-memory ExecutionEvents recording every call in order. */
export const createFakeEvents = () => {
  const outputs: { key: JobKey; lines: RawLine[]; resumeToken: string }[] = [];
  const exits: ExitedCall[] = [];
  const events: ExecutionEvents = {
    async output(key, lines, resumeToken) {
      outputs.push({ key, lines: [...lines], resumeToken });
    },
    async exited(key, report) {
      exits.push({ key, report, at: Date.now() });
    },
  };
  const waitFor = async <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  };
  return {
    events,
    outputs,
    exits,
    linesOf: (jobId: string) => outputs.filter((c) => c.key.jobId === jobId).flatMap((c) => c.lines),
    textOf: (jobId: string) => outputs.filter((c) => c.key.jobId === jobId).flatMap((c) => c.lines.map((l) => l.line)),
    waitFor,
    waitForExit: (jobId: string, timeoutMs = 10_000) =>
      waitFor(() => exits.find((e) => e.key.jobId === jobId), timeoutMs, `exit of ${jobId}`),
  };
};

/** Parses the output.json an exit report carries. */
export const outputOf = (report: ExitReport) => {
  const text = report.outputs?.files['output.json'];
  if (text === undefined) throw new Error('no output.json in the exit report');
  return JSON.parse(text) as HttpJobOutput;
};
