import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a local receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A local HTTP receiver on 127.0.0.1 for webhook tests: records every request; `/fail` answers 500,
 * `/slow` answers after `slowMs`, everything else 200.
 */
export const startReceiver = async (o: { slowMs?: number } = {}) => {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      if (req.url?.startsWith('/fail')) return void res.writeHead(500).end('down for maintenance');
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.writeHead(200).end('late'), o.slowMs ?? 3_000);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    to: (prefix: string) => received.filter((r) => r.path.startsWith(prefix)),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
};

/** What a receiver does with X-Cronium-Signature: the HMAC-SHA256 of `<timestamp>.<body>` with the tenant's secret. */
export const signatureHolds = (r: ReceivedRequest, secret: string): boolean => {
  const timestamp = r.headers['x-cronium-timestamp'];
  if (typeof timestamp !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return r.headers['x-cronium-signature'] === expected;
};
