import type { CoreConfig } from '../config';
import { ValidationError } from '../errors';
import {
  isScriptRuntime,
  type EnvValue,
  type HttpRequestSpec,
  type JobSpec,
  type Priority,
  type Resources,
  type RetryPolicy,
  type Runtime,
  type Target,
} from '../model';
import type { NotifyRule } from '../notifications/notificationModel';
import type { ToolAction } from '../tools/toolModel';

/** What a caller may ask for; omitted fields take the operator's defaults. */
export interface JobSpecRequest {
  runtime: Runtime;
  script?: string;
  http?: Omit<HttpRequestSpec, 'headers' | 'timeoutMs'> & Partial<Pick<HttpRequestSpec, 'headers' | 'timeoutMs'>>;
  tool?: ToolAction;
  notify?: NotifyRule[];
  env?: Record<string, EnvValue>;
  timeoutSeconds?: number;
  resources?: Partial<Resources>;
  target?: Target;
  retries?: RetryRequest;
  priority?: Priority;
}

/** A retry policy as asked: only `max` is required. */
export type RetryRequest = Pick<RetryPolicy, 'max'> & Partial<RetryPolicy>;

/** Most retries of one job, and the longest wait before one (a day). */
export const MAX_RETRIES = 20;
export const MAX_RETRY_BACKOFF_SECONDS = 86_400;
const RetryDefaults = { backoffSeconds: 10, factor: 2, maxBackoffSeconds: 3600 } as const;

/** A retry policy with its defaults filled, within bounds. @throws ValidationError naming the field. */
export const resolveRetries = (request: RetryRequest | undefined, prefix = ''): Pick<JobSpec, 'retries'> => {
  if (!request) return {};
  const f = `${prefix}retries`;
  const max = within(`${f}.max`, request.max, 0, MAX_RETRIES);
  if (max === 0) return {};
  const backoffSeconds = within(
    `${f}.backoffSeconds`,
    request.backoffSeconds ?? RetryDefaults.backoffSeconds,
    0,
    MAX_RETRY_BACKOFF_SECONDS,
    false,
  );
  const factor = within(`${f}.factor`, request.factor ?? RetryDefaults.factor, 1, 10, false);
  const maxBackoffSeconds = within(
    `${f}.maxBackoffSeconds`,
    request.maxBackoffSeconds ?? Math.max(backoffSeconds, RetryDefaults.maxBackoffSeconds),
    backoffSeconds,
    MAX_RETRY_BACKOFF_SECONDS,
    false,
  );
  return { retries: { max, backoffSeconds, factor, maxBackoffSeconds } };
};

/** Servers one job may run on at once. */
export const MAX_SSH_SERVERS = 20;

const targetOf = (request: JobSpecRequest, config: CoreConfig, prefix: string): Pick<JobSpec, 'target'> => {
  const target = request.target;
  if (!target || target.type === 'container') return {};
  if (config.sshTargets === false) {
    throw new ValidationError(
      `${prefix}target`,
      'ssh targets are not available on this deployment (it was deployed without the SSH runner)',
    );
  }
  if (!isScriptRuntime(request.runtime)) {
    throw new ValidationError(`${prefix}target`, `an ${request.runtime} job runs in the control plane, not on servers`);
  }
  const ids = target.serverIds;
  if (ids.length === 0 || ids.length > MAX_SSH_SERVERS) {
    throw new ValidationError(`${prefix}target.serverIds`, `must name 1 to ${MAX_SSH_SERVERS} servers`);
  }
  if (new Set(ids).size !== ids.length) throw new ValidationError(`${prefix}target.serverIds`, 'must not repeat a server');
  return { target: { type: 'ssh', serverIds: [...ids] } };
};

const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/** A script job needs a script; an http job needs a request and no script. */
const whatToRun = (request: JobSpecRequest, timeoutSeconds: number, prefix: string): Pick<JobSpec, 'script' | 'http' | 'tool'> => {
  if (request.runtime !== 'tool' && request.tool) throw new ValidationError(`${prefix}tool`, 'is only for runtime tool');
  if (request.runtime === 'tool') {
    if (request.script !== undefined) throw new ValidationError(`${prefix}script`, 'is not used by runtime tool; give tool instead');
    if (request.http) throw new ValidationError(`${prefix}http`, 'is only for runtime http');
    if (!request.tool) throw new ValidationError(`${prefix}tool`, 'is required for runtime tool');
    return { tool: request.tool };
  }
  if (request.runtime !== 'http') {
    if (request.http) throw new ValidationError(`${prefix}http`, 'is only for runtime http');
    if (!request.script) throw new ValidationError(`${prefix}script`, 'is required for a script runtime');
    return { script: request.script };
  }
  if (request.script !== undefined) throw new ValidationError(`${prefix}script`, 'is not used by runtime http; give http instead');
  if (!request.http) throw new ValidationError(`${prefix}http`, 'is required for runtime http');
  const timeoutMs = within(
    `${prefix}http.timeoutMs`,
    request.http.timeoutMs ?? Math.min(DEFAULT_HTTP_TIMEOUT_MS, timeoutSeconds * 1000),
    1,
    timeoutSeconds * 1000,
  );
  return { http: { ...request.http, method: request.http.method.toUpperCase(), headers: request.http.headers ?? {}, timeoutMs } };
};

const within = (field: string, value: number, min: number, max: number, integer = true): number => {
  if (!(value >= min && value <= max)) {
    throw new ValidationError(field, `must be between ${min} and ${max}, got ${value}`);
  }
  if (integer && !Number.isInteger(value)) throw new ValidationError(field, `must be a whole number, got ${value}`);
  return value;
};

/** Jobs that run inside a runner function where there is one (on AWS): http, tool and ssh jobs. */
const runsInRunner = (request: JobSpecRequest): string | undefined =>
  request.target?.type === 'ssh' ? 'ssh' : request.runtime === 'http' || request.runtime === 'tool' ? request.runtime : undefined;

/**
 * The job's time limit as asked, or the default. A job that runs inside a runner function (on AWS,
 * http, tool and ssh jobs) cannot outlast it: its default is cut to that limit, and a longer one
 * asked for is refused, naming the limit.
 */
const timeoutFor = (request: JobSpecRequest, config: CoreConfig, prefix: string): number => {
  // Where ssh targets are off, an ssh target is refused by name (targetOf), not for its time limit.
  const kind = request.target?.type === 'ssh' && config.sshTargets === false ? undefined : runsInRunner(request);
  const limit = kind === undefined ? undefined : config.runnerTimeoutSeconds;
  if (limit === undefined) return request.timeoutSeconds ?? config.defaultTimeoutSeconds;
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > limit) {
    throw new ValidationError(
      `${prefix}timeoutSeconds`,
      `must be at most ${limit} here: ${kind} jobs run inside a function limited to ${limit} seconds, got ${request.timeoutSeconds}`,
    );
  }
  return request.timeoutSeconds ?? Math.min(config.defaultTimeoutSeconds, limit);
};

/**
 * Fills defaults and enforces the operator's maxima.
 * @throws ValidationError naming the first field out of bounds.
 */
export const resolveJobSpec = (request: JobSpecRequest, config: CoreConfig, prefix = ''): JobSpec => {
  const { defaultResources: d, maxResources: m } = config;
  const r = request.resources ?? {};
  const timeoutSeconds = within(`${prefix}timeoutSeconds`, timeoutFor(request, config, prefix), 1, config.maxTimeoutSeconds);
  return {
    runtime: request.runtime,
    ...whatToRun(request, timeoutSeconds, prefix),
    ...targetOf(request, config, prefix),
    ...(request.notify?.length ? { notify: request.notify } : {}),
    env: request.env ?? {},
    ...resolveRetries(request.retries, prefix),
    ...(request.priority && request.priority !== 'normal' ? { priority: request.priority } : {}),
    timeoutSeconds,
    resources: {
      cpu: within(`${prefix}resources.cpu`, r.cpu ?? d.cpu, 0.05, m.cpu, false),
      memoryMb: within(`${prefix}resources.memoryMb`, r.memoryMb ?? d.memoryMb, 16, m.memoryMb),
      pids: within(`${prefix}resources.pids`, r.pids ?? d.pids, 8, m.pids),
      diskMb: within(`${prefix}resources.diskMb`, r.diskMb ?? d.diskMb ?? 64, 1, m.diskMb ?? 1024),
    },
  };
};
