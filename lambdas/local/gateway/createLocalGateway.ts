import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionRegistry } from './createConnection';
import { createManagementApi } from './createManagementApi';
import { pushToConnection } from './pushToConnection';
import { createRestBridge } from './createRestBridge';
import { createGatewayRouter } from './createGatewayRouter';
import { resolveSettings } from './resolveSettings';
import { createConsoleServer } from './serveConsole';
import type { LocalGateway, LocalGatewayOptions } from './types';
import { createWebSocketBridge } from './createWebSocketBridge';

/**
 * The one-machine stand-in for API Gateway: on one port, REST requests become REST proxy events,
 * WebSocket connections become `$connect` / route / `$disconnect` events, and `/@connections/{id}`
 * serves the Management API for the real `ApiGatewayManagementApiClient`.
 *
 * Known differences from AWS:
 * - every path and method reaches `rest` (one `/{proxy+}` ANY resource; `/` gets resource `/`), so no
 *   "missing authentication token" 404s; no stage prefix in REST URLs (`requestContext.path` still has one);
 * - the path is percent-decoded once, a malformed escape (`%ZZ`, `%C0%AF`) left as sent for the handler
 *   to refuse; `//jobs` and `/jobs/` reach the handler as they are;
 * - a REST body must arrive in full within `bodyTimeoutMs` (10 s), else 408 and the connection is closed;
 * - no authorizer caching, usage plans, API keys, request validation or CORS preflight; 401, 403 and 413
 *   use Cronium's error body (as the CDK stack's Gateway Responses do), 500/502/504 API Gateway's defaults;
 * - the events of one WebSocket connection are handled one at a time, in order (AWS runs them
 *   concurrently); a route result's non-empty body is always sent back (AWS only with a route response);
 * - no WebSocket idle (10 min) or lifetime (2 h) limits; messages over 128 KiB close the socket (1009);
 * - the management API checks the SigV4 access key id, not the signature.
 * Both sides' timeouts are `timeoutMs` (API Gateway's 29 s), not the function's own Lambda timeout.
 *
 * @throws InvalidGatewayOptionsError when the options conflict.
 * @example
 * const gateway = createLocalGateway({ port: 0, rest: restHandler, websocket: wsHandler });
 * const { url } = await gateway.listen();
 * const management = new ApiGatewayManagementApiClient({ endpoint: url, region: 'local', credentials });
 */
export const createLocalGateway = (o: LocalGatewayOptions): LocalGateway => {
  const settings = resolveSettings(o);
  const connections: ConnectionRegistry = new Map();
  const ws = createWebSocketBridge({ settings, websocket: o.websocket, wsAuthorizer: o.wsAuthorizer, connections });
  const router = createGatewayRouter({
    settings,
    rest: createRestBridge({ settings, rest: o.rest, restAuthorizer: o.restAuthorizer, restStream: o.restStream }),
    ws,
    management: createManagementApi({ settings, connections }),
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.console ? { console: createConsoleServer(o.console) } : {}),
  });
  const server = createServer();
  // Requests being answered, so close() can let them finish.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  server.on('request', (req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) drained?.();
    });
    router.onRequest(req, res);
  });
  server.on('upgrade', router.onUpgrade);

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(settings.port, settings.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          settings.port = port;
          const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
          const url = `http://${host}:${port}`;
          settings.logger.info({ url, wsPath: settings.wsPath }, 'local gateway listening');
          resolve({ url, port });
        });
      }),
    push: (connectionId, data) => pushToConnection(connections, connectionId, data, settings.logger),
    async close(opts = {}) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const graceMs = opts.graceMs ?? 0;
      if (inFlight > 0 && graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
        if (inFlight > 0) settings.logger.warn({ inFlight, graceMs }, 'closing with REST requests still being answered');
      }
      await ws.close();
      server.closeAllConnections();
      await stopped;
    },
  };
};
