import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TerminalStatuses } from '../../lambdas/core';
import type { LocalControlPlane } from '../../lambdas/local/createLocalControlPlane';
import { createLocalControlPlane } from '../../lambdas/local/createLocalControlPlane';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** A REST client for one API key. */
export const apiClient = (baseUrl: string, key?: string) => {
  const call = async <T = any>(method: string, path: string, body?: unknown, raw?: string): Promise<ApiResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as T) : (undefined as T) };
  };
  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => call<T>('POST', path, body),
    put: <T = any>(path: string, body?: unknown) => call<T>('PUT', path, body),
    del: <T = any>(path: string) => call<T>('DELETE', path),
  };
};
export type ApiClient = ReturnType<typeof apiClient>;

export const terminal: ReadonlySet<string> = TerminalStatuses;

/** Polls a job over REST until it ends. */
export const waitForJob = async (api: ApiClient, id: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get(`/jobs/${id}`);
    if (terminal.has(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Polls until `check` returns a value. */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A WebSocket client that records every message and can wait for one. */
export const openSocket = async (wsUrl: string, token: string) => {
  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
  const messages: any[] = [];
  const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    messages.push(message);
    for (const w of [...waiters]) {
      if (w.match(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
  });
  return {
    socket,
    messages,
    subscribe: (jobId: string, afterSeq = 0) => socket.send(JSON.stringify({ action: 'subscribe', jobId, afterSeq })),
    waitFor: (match: (m: any) => boolean, timeoutMs = 30_000) => {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise<any>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message; got ${JSON.stringify(messages.slice(-5))}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    /** Every log line received for the job, across its `logs` frames, each with the frame's jobId. */
    logs: (jobId: string) =>
      messages.filter((m) => m.type === 'logs' && m.jobId === jobId).flatMap((m) => m.lines.map((l: any) => ({ jobId, ...l }))),
    close: () => socket.close(),
  };
};

export interface Harness {
  local: LocalControlPlane;
  admin: ApiClient;
  close(): Promise<void>;
}

/** Starts a whole local control plane in this process, on a free port with a fresh data directory. */
export const startHarness = async (env: Record<string, string> = {}): Promise<Harness> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cronium-e2e-'));
  const local = await createLocalControlPlane({
    ...process.env,
    CRONIUM_DATA_DIR: dataDir,
    CRONIUM_PORT: '0',
    LOG_LEVEL: 'warn',
    ...env,
  });
  return {
    local,
    admin: apiClient(local.url, local.adminKey),
    async close() {
      await local.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** Containers (running or not) that carry a job's label. */
export const containersOf = async (jobId: string) => {
  const { default: Docker } = await import('dockerode');
  return new Docker().listContainers({ all: true, filters: { label: [`cronium.job=${jobId}`] } });
};
