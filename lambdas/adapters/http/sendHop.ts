import type { IncomingMessage } from 'node:http';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import type { RequestOptions } from 'node:https';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { HttpFailureReasons, HttpRequestError } from './errors';
import type { PinnedTarget } from './targetGuard';

/** One request on the wire, to an address the guard already checked. */
export interface HopRequest {
  target: PinnedTarget;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
  /** `GET https://…` as messages name the request. */
  label: string;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: readonly string[];
}

/** A response whose status and headers arrived; its body is still on the wire. */
export interface HopResponse {
  status: number;
  statusText: string;
  /** Header names in lower case; repeated `set-cookie` stays a list. */
  headers: Record<string, string | string[]>;
  /** Reads the body, keeping at most `maxBytes`; past that the connection is dropped. */
  readBody(maxBytes: number): Promise<{ body: Buffer; truncated: boolean }>;
  /** Drops the body and the connection (a redirect's body is never read). */
  discard(): void;
}

const codeOf = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

const CONNECT_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  EPIPE: 'the connection was closed while sending',
};

/** Turns a socket, TLS or parser error into the message the user sees. */
const translate = (err: unknown, hop: HopRequest): HttpRequestError => {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const { url } = hop.target;
  const where = `${hop.target.address}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  if (TLS_CODE.test(code) || (code === 'EPROTO' && /ssl|tls/i.test(message))) {
    return new HttpRequestError(HttpFailureReasons.tls, `${hop.label} failed: TLS error with ${hop.target.hostname}: ${message}`, {
      cause: err,
    });
  }
  if (code.startsWith('HPE_')) {
    return new HttpRequestError(HttpFailureReasons.protocol, `${hop.label} failed: the server's answer is not valid HTTP (${code})`, {
      cause: err,
    });
  }
  const known = CONNECT_MESSAGES[code];
  const why = known ? `${known} (${where})` : `${message}${code ? ` (${code})` : ''}`;
  return new HttpRequestError(HttpFailureReasons.connect, `${hop.label} failed: ${why}`, { cause: err });
};

/**
 * Makes the connection go to the checked address whatever DNS would say now. Node calls it
 * with `all: true` (happy eyeballs) or without; it answers in the matching shape.
 */
const pinnedLookup =
  (target: PinnedTarget): LookupFunction =>
  (hostname, options, callback) => {
    if (hostname !== target.hostname) {
      const err: NodeJS.ErrnoException = new Error(`refusing to look up ${hostname}: the request is pinned to ${target.hostname}`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
      return;
    }
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };

const plainHeaders = (res: IncomingMessage): Record<string, string | string[]> => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = value;
  return headers;
};

/**
 * Sends one request to the pinned address, with `Host` and the TLS server name taken from the
 * URL's host, on a connection of its own (no pooling: a pooled socket was checked for someone else).
 * @throws HttpRequestError (`connect`, `tls`, `protocol`) for transport failures.
 * @throws the signal's reason when aborted.
 */
export const sendHop = (hop: HopRequest): Promise<HopResponse> => {
  const { url } = hop.target;
  const headers: Record<string, string> = { ...hop.headers };
  if (hop.body !== undefined) headers['Content-Length'] = String(hop.body.length);
  const options: RequestOptions = {
    protocol: url.protocol,
    hostname: hop.target.hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: hop.method,
    headers,
    agent: false,
    lookup: pinnedLookup(hop.target),
    signal: hop.signal,
    ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    ...(hop.ca?.length ? { ca: [...rootCertificates, ...hop.ca] } : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<HopResponse>((resolve, reject) => {
    const req = send(options);
    req.on('error', (err) => reject(hop.signal.aborted ? hop.signal.reason : translate(err, hop)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      resolve({
        status,
        statusText: res.statusMessage || STATUS_CODES[status] || '',
        headers: plainHeaders(res),
        discard: () => {
          res.destroy();
          req.destroy();
        },
        async readBody(maxBytes) {
          const chunks: Buffer[] = [];
          let kept = 0;
          let truncated = false;
          try {
            for await (const chunk of res as AsyncIterable<Buffer>) {
              const room = maxBytes - kept;
              if (chunk.length > room) {
                if (room > 0) chunks.push(chunk.subarray(0, room));
                kept += room;
                truncated = true;
                break;
              }
              chunks.push(chunk);
              kept += chunk.length;
            }
          } catch (err) {
            if (hop.signal.aborted) throw hop.signal.reason;
            throw new HttpRequestError(
              HttpFailureReasons.protocol,
              `${hop.label} failed: the response broke off after ${kept} bytes of body (${codeOf(err) || (err as Error).message})`,
              { cause: err },
            );
          }
          if (truncated) req.destroy();
          return { body: Buffer.concat(chunks, kept), truncated };
        },
      });
    });
    req.end(hop.body);
  });
};
