import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { croniumError, sendJson } from './respond';

/** What the gateway serves at `/metrics` (the prom-client adapter fits). */
export interface MetricsEndpoint {
  render(): Promise<string>;
  contentType: string;
  /**
   * When set, a scrape must send `Authorization: Bearer <token>`; when not, only loopback
   * clients may scrape (the gateway itself binds to loopback by default).
   */
  token?: string;
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const loopback = (address: string | undefined) => {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || v4.startsWith('127.');
};

/** `GET /metrics` in the Prometheus text format, outside the REST API and its authorizer. */
export const serveMetrics = async (req: IncomingMessage, res: ServerResponse, endpoint: MetricsEndpoint): Promise<void> => {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendJson(res, 405, croniumError('method_not_allowed', `method ${req.method} is not allowed on /metrics`), {
      headers: { allow: 'GET, HEAD' },
    });
  }
  if (endpoint.token !== undefined) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!given || !sameSecret(given, endpoint.token)) {
      return sendJson(res, 401, croniumError('unauthorized', 'a metrics token is required'), { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
  } else if (!loopback(req.socket.remoteAddress)) {
    return sendJson(res, 403, croniumError('forbidden', 'metrics are served to loopback clients unless CRONIUM_METRICS_TOKEN is set'));
  }
  const text = await endpoint.render();
  res.writeHead(200, { 'Content-Type': endpoint.contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
};
