import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ManagementApi } from './createManagementApi';
import { splitTarget } from './requestParts';
import { rejectUpgrade, sendJson } from './respond';
import type { RestBridge } from './createRestBridge';
import type { GatewaySettings } from './resolveSettings';
import type { WebSocketBridge } from './createWebSocketBridge';
import type { ConsoleServer } from './serveConsole';
import { isConsolePath } from './serveConsole';
import type { MetricsEndpoint } from './serveMetrics';
import { serveMetrics } from './serveMetrics';

/** Dispatches the HTTP server's `request` and `upgrade` events. */
export interface Router {
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const MANAGEMENT_PATH = /^(?:\/([^/]+))?\/@connections\/([^/]+)$/;

/**
 * The connection id of a management request, or undefined for any other path. The SDK appends
 * `/@connections/{id}` to the endpoint's path, so both `/@connections/{id}` and `/{stage}/@connections/{id}`
 * (an endpoint configured with the stage, as on AWS) are accepted.
 */
export const managementConnectionId = (rawPath: string, stage: string): string | undefined => {
  const m = MANAGEMENT_PATH.exec(rawPath);
  if (!m?.[2] || (m[1] !== undefined && m[1] !== stage)) return undefined;
  try {
    return decodeURIComponent(m[2]);
  } catch {
    return undefined;
  }
};

/**
 * Routes `/@connections/*` to the management API, `wsPath` upgrades to the WebSocket bridge, `/` and
 * `/console/*` to the web console when there is one, the rest to REST.
 */
export const createGatewayRouter = (o: {
  settings: GatewaySettings;
  rest: RestBridge;
  ws: WebSocketBridge;
  management: ManagementApi;
  metrics?: MetricsEndpoint;
  console?: ConsoleServer;
}): Router => {
  const s = o.settings;
  const guard = (work: Promise<void>, target: ServerResponse | Duplex): void => {
    work.catch((err: unknown) => {
      s.logger.error({ err }, 'gateway failed to serve a request');
      if ('headersSent' in target && !target.headersSent) sendJson(target, 500, { message: 'Internal server error' });
      else target.destroy();
    });
  };
  return {
    onRequest(req, res) {
      const target = splitTarget(req.url);
      const connectionId = managementConnectionId(target.rawPath, s.stage);
      if (connectionId !== undefined) return guard(o.management.handle(req, res, connectionId), res);
      if (o.metrics && target.rawPath === '/metrics') return guard(serveMetrics(req, res, o.metrics), res);
      if (o.console && isConsolePath(target.rawPath)) return guard(o.console(req, res, target.rawPath), res);
      if (target.rawPath === s.wsPath) {
        req.resume();
        return sendJson(res, 426, { message: 'Upgrade Required' });
      }
      guard(o.rest.handle(req, res, target), res);
    },
    onUpgrade(req, socket, head) {
      if (splitTarget(req.url).rawPath !== s.wsPath) {
        return rejectUpgrade(socket, 404, JSON.stringify({ message: 'Not Found' }));
      }
      guard(o.ws.handleUpgrade(req, socket, head), socket);
    },
  };
};
