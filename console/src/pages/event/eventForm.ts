import type { EnvValue, EventBody, EventDef, EventRuntime } from '../../api/eventTypes';

export interface EnvRow {
  name: string;
  /** A literal, or a `{fromVariable}` reference to one of the tenant's variables. */
  kind: 'value' | 'variable';
  value: string;
}

/** The editor's state: what the inputs hold, as text, until Save turns it into a request. */
export interface EventForm {
  name: string;
  runtime: EventRuntime;
  script: string;
  httpMethod: string;
  httpUrl: string;
  httpHeaders: string;
  httpBody: string;
  httpTimeoutMs: string;
  httpExpectStatus: string;
  tool: string;
  targetType: 'container' | 'ssh';
  serverIds: string[];
  env: EnvRow[];
  timeoutSeconds: string;
  cpu: string;
  memoryMb: string;
  pids: string;
  diskMb: string;
  retriesMax: string;
  backoffSeconds: string;
  factor: string;
  maxBackoffSeconds: string;
  concurrencyMax: string;
  onLimit: 'queue' | 'skip';
  priority: '' | 'high' | 'normal' | 'low';
  notify: string;
}

/** A mistake caught before sending (text that is not JSON); the API checks everything else. */
export class FormError extends Error {}

const text = (n: number | undefined): string => (n === undefined ? '' : String(n));
const json = (v: unknown): string => (v === undefined ? '' : JSON.stringify(v, null, 2));

export const emptyForm = (): EventForm => fromEvent({ name: '', runtime: 'python', script: '' });

export const fromEvent = (e: EventBody | EventDef): EventForm => ({
  name: e.name,
  runtime: e.runtime,
  script: e.script ?? '',
  httpMethod: e.http?.method ?? 'GET',
  httpUrl: e.http?.url ?? '',
  httpHeaders: json(e.http?.headers),
  httpBody: e.http?.body ?? '',
  httpTimeoutMs: text(e.http?.timeoutMs),
  httpExpectStatus: text(e.http?.expectStatus),
  tool: json(e.tool),
  targetType: e.target?.type ?? 'container',
  serverIds: e.target?.type === 'ssh' ? e.target.serverIds : [],
  env: Object.entries(e.env ?? {}).map(([name, v]) =>
    typeof v === 'string' ? { name, kind: 'value', value: v } : { name, kind: 'variable', value: v.fromVariable },
  ),
  timeoutSeconds: text(e.timeoutSeconds),
  cpu: text(e.resources?.cpu),
  memoryMb: text(e.resources?.memoryMb),
  pids: text(e.resources?.pids),
  diskMb: text(e.resources?.diskMb),
  retriesMax: text(e.retries?.max),
  backoffSeconds: text(e.retries?.backoffSeconds),
  factor: text(e.retries?.factor),
  maxBackoffSeconds: text(e.retries?.maxBackoffSeconds),
  concurrencyMax: text(e.concurrency?.max),
  onLimit: e.concurrency?.onLimit ?? 'queue',
  priority: e.priority ?? '',
  notify: json(e.notify),
});

/** Blank is absent; a number is sent as one; anything else is sent as typed, for the API to name. */
const num = (s: string): number | undefined => {
  const t = s.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : (t as unknown as number);
};

const parsed = (field: string, s: string): unknown => {
  if (s.trim() === '') return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new FormError(`${field}: is not valid JSON`);
  }
};

/** Drops absent fields, and an object left with none. */
const compact = <T extends object>(o: T): T | undefined => {
  const kept = Object.entries(o).filter(([, v]) => v !== undefined);
  return kept.length ? (Object.fromEntries(kept) as T) : undefined;
};

/** The request body of POST /events and PUT /events/{id}. @throws FormError */
export const toBody = (f: EventForm): EventBody => {
  const scriptRuntime = f.runtime !== 'http' && f.runtime !== 'tool';
  const env: Record<string, EnvValue> = {};
  for (const row of f.env) {
    if (row.name.trim() === '' && row.value === '') continue;
    env[row.name.trim()] = row.kind === 'variable' ? { fromVariable: row.value } : row.value;
  }
  const retriesMax = num(f.retriesMax);
  const concurrencyMax = num(f.concurrencyMax);
  return compact<EventBody>({
    name: f.name,
    runtime: f.runtime,
    script: scriptRuntime ? f.script : undefined,
    http:
      f.runtime === 'http'
        ? {
            method: f.httpMethod,
            url: f.httpUrl,
            ...compact({
              headers: parsed('http.headers', f.httpHeaders) as Record<string, string> | undefined,
              body: f.httpBody === '' ? undefined : f.httpBody,
              timeoutMs: num(f.httpTimeoutMs),
              expectStatus: num(f.httpExpectStatus),
            }),
          }
        : undefined,
    tool: f.runtime === 'tool' ? parsed('tool', f.tool) : undefined,
    target: scriptRuntime ? (f.targetType === 'ssh' ? { type: 'ssh', serverIds: f.serverIds } : { type: 'container' }) : undefined,
    env: Object.keys(env).length ? env : undefined,
    timeoutSeconds: num(f.timeoutSeconds),
    resources: compact({ cpu: num(f.cpu), memoryMb: num(f.memoryMb), pids: num(f.pids), diskMb: num(f.diskMb) }),
    retries:
      retriesMax === undefined
        ? undefined
        : {
            max: retriesMax,
            ...compact({ backoffSeconds: num(f.backoffSeconds), factor: num(f.factor), maxBackoffSeconds: num(f.maxBackoffSeconds) }),
          },
    priority: f.priority === '' ? undefined : f.priority,
    concurrency: concurrencyMax === undefined ? undefined : { max: concurrencyMax, onLimit: f.onLimit },
    notify: parsed('notify', f.notify),
  })!;
};
