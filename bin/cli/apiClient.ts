import { ApiError, CliError, UnreachableError } from './errors';
import type { EventDef, EventInput, Job, JobListQuery, JobSpecInput, LogPage, Page } from './types';

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request; the call then rejects with the fetch AbortError. */
  signal?: AbortSignal;
}

/** Typed client of the Cronium REST API. Every method throws `ApiError` or `UnreachableError`. */
export interface ApiClient {
  readonly baseUrl: string;
  submitJob(spec: JobSpecInput): Promise<Job>;
  listJobs(query?: JobListQuery, opts?: CallOptions): Promise<Page<Job>>;
  getJob(id: string, opts?: CallOptions): Promise<Job>;
  getLogs(id: string, after: number, limit?: number, opts?: CallOptions): Promise<LogPage>;
  cancelJob(id: string): Promise<Job>;
  createEvent(input: EventInput): Promise<EventDef>;
  listEvents(cursor?: string): Promise<Page<EventDef>>;
  getEvent(id: string): Promise<EventDef>;
  updateEvent(id: string, input: EventInput): Promise<EventDef>;
  deleteEvent(id: string): Promise<void>;
  runEvent(id: string): Promise<Job>;
  /** A GET whose answer is not JSON (a log download): the response, its body unread; an error status throws ApiError. */
  getRaw(path: string, query?: Query): Promise<Response>;
  /** Any other route (schedules: see commands/schedules.ts), answering its JSON. */
  request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T>;
}

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

export type Query = Record<string, string | number | undefined>;

const networkReason = (err: unknown): string => {
  // undici reports the socket error (ECONNREFUSED, ENOTFOUND...) as the cause of a bare "fetch failed".
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
};

const errorFromResponse = async (res: Response): Promise<ApiError> => {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body.error && typeof body.error.message === 'string') {
      return new ApiError(res.status, typeof body.error.code === 'string' ? body.error.code : 'unknown', body.error.message);
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to a generic message.
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiError(res.status, 'http_error', `HTTP ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`);
};

/**
 * Creates a client of the REST API at `baseUrl`, authenticating with a bearer key.
 *
 * @example
 * const api = createApiClient({ baseUrl: 'http://127.0.0.1:8080', apiKey });
 * const job = await api.submitJob({ runtime: 'bash', script: 'echo hi' });
 */
export const createApiClient = (o: ApiClientOptions): ApiClient => {
  const doFetch = o.fetch ?? fetch;
  const baseUrl = o.baseUrl.replace(/\/+$/, '');

  const call = async <T>(method: string, path: string, body?: unknown, query?: Query, opts?: CallOptions): Promise<T> => {
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: {
          authorization: `Bearer ${o.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts?.signal,
      });
    } catch (err) {
      if (opts?.signal?.aborted) throw err;
      throw new UnreachableError(baseUrl, networkReason(err), { cause: err });
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CliError('bad_response', `${method} ${path} answered ${res.status} with a body that is not JSON`, 1, { cause: err });
    }
  };

  const getRaw = async (path: string, query?: Query): Promise<Response> => {
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await doFetch(url, { headers: { authorization: `Bearer ${o.apiKey}` } });
    } catch (err) {
      throw new UnreachableError(baseUrl, networkReason(err), { cause: err });
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  };

  const id = (value: string): string => encodeURIComponent(value);

  return {
    baseUrl,
    submitJob: (spec) => call('POST', '/jobs', spec),
    listJobs: (q = {}, opts) =>
      call('GET', '/jobs', undefined, { status: q.status, eventId: q.eventId, limit: q.limit, cursor: q.cursor }, opts),
    getJob: (jobId, opts) => call('GET', `/jobs/${id(jobId)}`, undefined, undefined, opts),
    getLogs: (jobId, after, limit, opts) => call('GET', `/jobs/${id(jobId)}/logs`, undefined, { after, limit }, opts),
    cancelJob: (jobId) => call('POST', `/jobs/${id(jobId)}/cancel`),
    createEvent: (input) => call('POST', '/events', input),
    listEvents: (cursor) => call('GET', '/events', undefined, { cursor }),
    getEvent: (eventId) => call('GET', `/events/${id(eventId)}`),
    updateEvent: (eventId, input) => call('PUT', `/events/${id(eventId)}`, input),
    deleteEvent: (eventId) => call('DELETE', `/events/${id(eventId)}`),
    runEvent: (eventId) => call('POST', `/events/${id(eventId)}/runs`),
    getRaw,
    request: (method, path, body, query) => call(method, path, body, query),
  };
};
