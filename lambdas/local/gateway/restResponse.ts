import type { ServerResponse } from 'node:http';
import { MalformedProxyResultError } from './errors';

/** An HTTP response ready to write. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

// Framing headers are the gateway's to set, as on API Gateway.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Maps a Lambda proxy result to HTTP like API Gateway: `multiValueHeaders` win over `headers` for the
 * same name, a base64 body is decoded, `Content-Type` defaults to `application/json`.
 * @throws MalformedProxyResultError for a result API Gateway would answer with 502.
 */
export const toHttpResponse = (result: unknown): HttpResponse => {
  if (!isRecord(result)) throw new MalformedProxyResultError('not an object');
  const { statusCode, body, isBase64Encoded } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new MalformedProxyResultError('statusCode must be an HTTP status');
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new MalformedProxyResultError('body must be a string');
  }
  const headers: Record<string, string[]> = {};
  const lowerSeen = new Map<string, string>();
  const put = (name: string, values: string[]): void => {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower)) return;
    const previous = lowerSeen.get(lower);
    if (previous !== undefined) delete headers[previous];
    lowerSeen.set(lower, name);
    headers[name] = values;
  };
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) throw new MalformedProxyResultError('headers must be an object');
    for (const [name, value] of Object.entries(result.headers)) {
      if (!isScalar(value)) throw new MalformedProxyResultError(`header ${name} must be a string`);
      put(name, [String(value)]);
    }
  }
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isRecord(result.multiValueHeaders)) throw new MalformedProxyResultError('multiValueHeaders must be an object');
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) {
        throw new MalformedProxyResultError(`multiValueHeaders.${name} must be an array of strings`);
      }
      put(name, values.map(String));
    }
  }
  if (!lowerSeen.has('content-type')) headers['Content-Type'] = ['application/json'];
  const text = typeof body === 'string' ? body : '';
  return { statusCode, headers, body: Buffer.from(text, isBase64Encoded === true ? 'base64' : 'utf8') };
};

/** Writes a mapped response, tagged with the request id as API Gateway does. */
export const writeHttpResponse = (res: ServerResponse, r: HttpResponse, requestId: string): void => {
  const head: Record<string, string | string[]> = { ...r.headers, 'x-amzn-RequestId': requestId };
  head['Content-Length'] = String(r.body.length);
  res.writeHead(r.statusCode, head);
  res.end(r.body);
};
