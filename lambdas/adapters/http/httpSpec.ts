import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { HttpRequestSpec, Job } from '../../core';
import { InvalidHttpSpecError } from './errors';

/** An http job's request, checked and normalized; `url` is parsed. */
export interface HttpRequestPlan {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  expectStatus?: number;
}

/** RFC 9110 token: what a method name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Methods that would turn the control plane into a tunnel or an echo. */
const REFUSED_METHODS = new Set(['CONNECT', 'TRACE']);

/**
 * Headers the launcher sets itself: `Host` comes from the URL (so it always names the host that was
 * checked), framing comes from the body, and connection-level headers would let a job switch protocols.
 */
const MANAGED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
  'expect',
  'http2-settings',
]);

/** Longest timer Node accepts. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Checks an http job's request the way the sender will use it, before anything is sent.
 * @throws InvalidHttpSpecError naming the field (`http.url`, `http.headers.<name>`, …).
 */
export const planHttpRequest = (job: Pick<Job, 'runtime' | 'http'>): HttpRequestPlan => {
  if (job.runtime !== 'http') throw new InvalidHttpSpecError('runtime', `must be http for the http launcher, got ${job.runtime}`);
  const spec: HttpRequestSpec | undefined = job.http;
  if (!spec || typeof spec !== 'object') throw new InvalidHttpSpecError('http', 'is required for runtime http');

  if (typeof spec.method !== 'string' || !TOKEN.test(spec.method)) {
    throw new InvalidHttpSpecError('http.method', 'must be an HTTP method name');
  }
  const method = spec.method.toUpperCase();
  if (REFUSED_METHODS.has(method)) throw new InvalidHttpSpecError('http.method', `${method} is not allowed`);

  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new InvalidHttpSpecError('http.url', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidHttpSpecError('http.url', `must be an http or https URL, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (!url.hostname) throw new InvalidHttpSpecError('http.url', 'must name a host');

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const field = `http.headers.${name}`;
    if (typeof value !== 'string') throw new InvalidHttpSpecError(field, 'must be a string');
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new InvalidHttpSpecError(field, 'is not a valid header (name must be a token; no line breaks in the value)');
    }
    if (MANAGED_HEADERS.has(name.toLowerCase())) {
      throw new InvalidHttpSpecError(field, 'is set by Cronium itself and cannot be given');
    }
    headers[name] = value;
  }

  if (spec.body !== undefined && typeof spec.body !== 'string') throw new InvalidHttpSpecError('http.body', 'must be a string');
  if (!(Number.isInteger(spec.timeoutMs) && spec.timeoutMs >= 1 && spec.timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new InvalidHttpSpecError('http.timeoutMs', `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
  const { expectStatus } = spec;
  if (expectStatus !== undefined && !(Number.isInteger(expectStatus) && expectStatus >= 100 && expectStatus <= 599)) {
    throw new InvalidHttpSpecError('http.expectStatus', 'must be a status code from 100 to 599');
  }

  return {
    method,
    url,
    headers,
    ...(spec.body !== undefined ? { body: Buffer.from(spec.body, 'utf8') } : {}),
    timeoutMs: spec.timeoutMs,
    ...(expectStatus !== undefined ? { expectStatus } : {}),
  };
};

/** A URL as it may appear in logs and messages: any password is masked. */
export const displayUrl = (url: URL): string => {
  if (!url.username && !url.password) return url.href;
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return shown.href;
};
