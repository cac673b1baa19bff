// The shapes of events, variables and servers as the REST API returns them (README.md, "The API").

export const scriptRuntimes = ['bash', 'python', 'node'] as const;
export const eventRuntimes = [...scriptRuntimes, 'http', 'tool'] as const;
export type EventRuntime = (typeof eventRuntimes)[number];

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A literal value, or the value of one of the tenant's variables when the job starts. */
export type EnvValue = string | { fromVariable: string };

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  expectStatus?: number;
}

export type Target = { type: 'container' } | { type: 'ssh'; serverIds: string[] };

export interface Resources {
  cpu?: number;
  memoryMb?: number;
  pids?: number;
  diskMb?: number;
}

export interface RetryPolicy {
  max: number;
  backoffSeconds?: number;
  factor?: number;
  maxBackoffSeconds?: number;
}

export interface ConcurrencyLimit {
  max: number;
  onLimit?: 'queue' | 'skip';
}

/** What `POST /events` and `PUT /events/{id}` take. */
export interface EventBody {
  name: string;
  runtime: EventRuntime;
  script?: string;
  http?: HttpRequestSpec;
  tool?: unknown;
  notify?: unknown;
  target?: Target;
  env?: Record<string, EnvValue>;
  timeoutSeconds?: number;
  resources?: Resources;
  retries?: RetryPolicy;
  priority?: 'high' | 'normal' | 'low';
  concurrency?: ConcurrencyLimit;
}

export interface EventDef extends EventBody {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** A variable as listed: a secret comes without its value. */
export interface Variable {
  key: string;
  secret: boolean;
  value?: unknown;
  updatedAt: string;
}

export type { Server } from './opsTypes';
