import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isTerminalStatus } from '../../../bin/cli/types';
import type { EventDef, Job, JobStatus, LogLine, LogStream } from '../../../bin/cli/types';

/** How a submitted job behaves. */
export interface JobPlan {
  lines: { stream: LogStream; line: string }[];
  final: { status: Exclude<JobStatus, 'queued' | 'claimed' | 'running'>; exitCode?: number; error?: { code: string; message: string } };
  durationMs?: number;
  /** How many lines the socket pushes before the terminal status; the rest are only in REST. Default: all. */
  socketDelivers?: number;
  /** Seqs the socket never pushes (a gap the client must fill from REST). */
  socketOmits?: number[];
  /** The socket pushes every line twice. */
  socketRepeats?: boolean;
  /** Lines per pushed `logs` frame. Default 2. */
  socketFrameLines?: number;
  /** The first subscription is told it lags after this seq and gets nothing more until it subscribes again. */
  socketLagsAfter?: number;
  /** The job ends without the socket pushing a terminal status. */
  socketSilentEnd?: boolean;
  /** The job keeps running (until cancelled). */
  hang?: boolean;
  /** Without a socket subscriber, the job ends this long after creation. Default 40 ms. */
  finishAfterMs?: number;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization?: string;
}

/** Options of {@link startFakeCronium}. */
export interface FakeCroniumOptions {
  apiKey?: string;
  /** false: refuse every WebSocket upgrade, so clients must poll. */
  websocket?: boolean;
  /** The plan of each submitted job or event run. */
  plan?: (body: unknown) => JobPlan;
  /** Jobs `GET /jobs` lists, besides submitted ones. */
  seedJobs?: Job[];
  /** Page size when the request gives no limit. */
  pageSize?: number;
  /** Forced error responses keyed by `METHOD /path`. */
  errors?: Record<string, { status: number; code: string; message: string }>;
}

/** A running fake control plane. */
export interface FakeCronium {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Requests matching a method and path. */
  requestsTo(method: string, path: string): RecordedRequest[];
  /** Creates a job as `POST /jobs` would, without recording a request. */
  addJob(body?: { runtime?: string }): Job;
  close(): Promise<void>;
}

interface FakeJob {
  job: Job;
  plan: JobPlan;
  lines: LogLine[];
  sockets: Set<WebSocket>;
  timer?: NodeJS.Timeout;
  lagged?: boolean;
}

const defaultPlan = (): JobPlan => ({ lines: [{ stream: 'stdout', line: 'hello' }], final: { status: 'completed', exitCode: 0 } });

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
};

const send = (res: ServerResponse, status: number, body?: unknown): void => {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

const apiError = (res: ServerResponse, status: number, code: string, message: string): void =>
  send(res, status, { error: { code, message } });

/**
 * Starts a small fake of the Cronium REST and WebSocket API on 127.0.0.1:0,
 * implementing just what the CLI calls.
 */
export const startFakeCronium = async (o: FakeCroniumOptions = {}): Promise<FakeCronium> => {
  const apiKey = o.apiKey ?? 'test-key';
  const pageSize = o.pageSize ?? 2;
  const jobs = new Map<string, FakeJob>();
  const events = new Map<string, EventDef>();
  const seeded = o.seedJobs ?? [];
  const requests: RecordedRequest[] = [];
  let nextId = 1;

  const broadcast = (fj: FakeJob, msg: unknown): void => {
    for (const ws of fj.sockets) ws.send(JSON.stringify(msg));
  };
  const finish = (fj: FakeJob, final: JobPlan['final'], silently = false): void => {
    if (isTerminalStatus(fj.job.status)) return;
    clearTimeout(fj.timer);
    Object.assign(fj.job, final, { finishedAt: new Date().toISOString(), durationMs: fj.plan.durationMs ?? 1234 });
    if (!silently) broadcast(fj, { type: 'status', jobId: fj.job.id, ...final, lastSeq: fj.lines.length });
  };
  const createJob = (body: { runtime?: string } | undefined, eventId?: string): Job => {
    const plan = (o.plan ?? defaultPlan)(body);
    const id = `job-${nextId++}`;
    const job: Job = {
      id,
      status: 'running',
      runtime: (body?.runtime ?? 'bash') as Job['runtime'],
      ...(eventId ? { eventId } : {}),
      createdAt: new Date().toISOString(),
      timeoutSeconds: 300,
      resources: { cpu: 0.5, memoryMb: 512, pids: 128 },
    };
    const lines = plan.lines.map((l, i) => ({ seq: i + 1, ts: new Date().toISOString(), ...l }));
    const fj: FakeJob = { job, plan, lines, sockets: new Set() };
    if (!plan.hang) fj.timer = setTimeout(() => finish(fj, plan.final), plan.finishAfterMs ?? 40);
    jobs.set(id, fj);
    return { ...job, status: 'queued' };
  };

  const stream = async (ws: WebSocket, fj: FakeJob, afterSeq: number): Promise<void> => {
    // The socket takes over ending the job, so the REST timer does not race it.
    clearTimeout(fj.timer);
    fj.sockets.add(ws);
    ws.send(JSON.stringify({ type: 'status', jobId: fj.job.id, status: 'running' }));
    const limit = fj.plan.socketDelivers ?? fj.lines.length;
    const lagAt = fj.lagged ? undefined : fj.plan.socketLagsAfter;
    const pushed = fj.lines.slice(afterSeq, lagAt === undefined ? limit : Math.min(limit, lagAt));
    const perFrame = fj.plan.socketFrameLines ?? 2;
    for (let i = 0; i < pushed.length; i += perFrame) {
      await new Promise((r) => setTimeout(r, 2));
      const lines = pushed.slice(i, i + perFrame).filter((l) => !fj.plan.socketOmits?.includes(l.seq));
      if (lines.length === 0) continue;
      ws.send(JSON.stringify({ type: 'logs', jobId: fj.job.id, lines }));
      if (fj.plan.socketRepeats) ws.send(JSON.stringify({ type: 'logs', jobId: fj.job.id, lines }));
    }
    if (lagAt !== undefined) {
      fj.lagged = true;
      fj.sockets.delete(ws);
      ws.send(JSON.stringify({ type: 'lagging', jobId: fj.job.id, sentSeq: lagAt }));
      return;
    }
    if (isTerminalStatus(fj.job.status)) {
      // Ended before this subscriber came: replay the terminal status to it alone.
      const { status, exitCode, error } = fj.job;
      ws.send(JSON.stringify({ type: 'status', jobId: fj.job.id, status, exitCode, error, lastSeq: fj.lines.length }));
    } else if (!fj.plan.hang) finish(fj, fj.plan.final, fj.plan.socketSilentEnd);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
    };
    requests.push(record);
    const forced = o.errors?.[`${record.method} ${record.path}`];
    if (forced) return apiError(res, forced.status, forced.code, forced.message);
    if (req.headers.authorization !== `Bearer ${apiKey}`) return apiError(res, 401, 'unauthorized', 'missing or invalid API key');

    const parts = url.pathname.split('/').filter(Boolean);
    const [root, id, sub] = parts;
    const key = `${record.method} ${root ?? ''}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}`;
    const fj = id === undefined ? undefined : jobs.get(id);
    const missingJob = (): void => apiError(res, 404, 'not_found', `job ${id} not found`);

    switch (key) {
      case 'POST jobs':
        return send(res, 202, createJob(body as { runtime?: string }));
      case 'GET jobs': {
        const all = [...seeded, ...[...jobs.values()].map((j) => j.job)].filter(
          (j) =>
            (!record.query.status || j.status === record.query.status) && (!record.query.eventId || j.eventId === record.query.eventId),
        );
        const start = Number(record.query.cursor?.replace('c', '') ?? 0);
        const limit = Number(record.query.limit ?? pageSize);
        const items = all.slice(start, start + limit);
        const next = start + limit < all.length ? `c${start + limit}` : undefined;
        return send(res, 200, { items, ...(next ? { nextCursor: next } : {}) });
      }
      case 'GET jobs/:id':
        return fj ? send(res, 200, fj.job) : missingJob();
      case 'GET jobs/:id/logs': {
        if (!fj) return missingJob();
        const after = Number(record.query.after ?? 0);
        const limit = Number(record.query.limit ?? pageSize);
        const items = fj.lines.filter((l) => l.seq > after).slice(0, limit);
        return send(res, 200, { items, nextSeq: items.at(-1)?.seq ?? after });
      }
      case 'POST jobs/:id/cancel':
        if (!fj) return missingJob();
        finish(fj, { status: 'cancelled', error: { code: 'cancelled', message: 'cancelled by user' } });
        return send(res, 202, fj.job);
      case 'POST events': {
        const ev = { ...(body as EventDef), id: `ev-${nextId++}`, createdAt: new Date().toISOString() };
        events.set(ev.id, ev);
        return send(res, 201, ev);
      }
      case 'GET events':
        return send(res, 200, { items: [...events.values()] });
      case 'GET events/:id':
      case 'PUT events/:id':
      case 'DELETE events/:id':
      case 'POST events/:id/runs': {
        const ev = events.get(id ?? '');
        if (!ev) return apiError(res, 404, 'not_found', `event ${id} not found`);
        if (record.method === 'GET') return send(res, 200, ev);
        if (record.method === 'DELETE') {
          events.delete(ev.id);
          return send(res, 204);
        }
        if (record.method === 'PUT') {
          const updated = { ...ev, ...(body as EventDef), id: ev.id };
          events.set(ev.id, updated);
          return send(res, 200, updated);
        }
        return send(res, 202, createJob(ev, ev.id));
      }
      default:
        return apiError(res, 404, 'not_found', `no route ${record.method} ${record.path}`);
    }
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => apiError(res, 500, 'internal', String(err)));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (o.websocket === false || url.pathname !== '/ws' || url.searchParams.get('token') !== apiKey) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { action?: string; jobId?: string; afterSeq?: number };
        const fj = jobs.get(msg.jobId ?? '');
        if (msg.action !== 'subscribe' || !fj) {
          ws.send(JSON.stringify({ type: 'error', code: 'not_found', message: `job ${msg.jobId} not found` }));
          return;
        }
        void stream(ws, fj, msg.afterSeq ?? 0);
      });
      ws.on('close', () => {
        for (const fj of jobs.values()) fj.sockets.delete(ws);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    addJob: (body) => createJob(body),
    close: async () => {
      for (const fj of jobs.values()) clearTimeout(fj.timer);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
