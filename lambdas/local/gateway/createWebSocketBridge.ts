import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ForbiddenError, UnauthorizedError } from '../../core/errors';
import { runAuthorizer } from './runAuthorizer';
import { createConnection, type Connection, type ConnectionRegistry } from './createConnection';
import { IntegrationTimeoutError } from './errors';
import { newOpaqueId } from './ids';
import { hasRoomFor } from './outboundLimits';
import { invokeHandler } from './invokeHandler';
import { readHeaders, readQuery, sourceIpOf, splitTarget, type ValueMaps } from './requestParts';
import { croniumError, rejectUpgrade } from './respond';
import { MAX_WS_MESSAGE_BYTES, type GatewaySettings } from './resolveSettings';
import type { RequestAuthorizer, WebSocketHandler } from './types';
import { connectAuthorizerEvent, connectEvent, disconnectEvent, messageEvent, selectRoute, type ConnectionFacts } from './websocketEvent';

/** Turns WebSocket upgrades, frames and closes into `$connect`, route and `$disconnect` invocations. */
export interface WebSocketBridge {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** Closes every connection with 1001 and resolves once each `$disconnect` has been delivered. */
  close(): Promise<void>;
}

const WS_FUNCTION = 'cronium-local-websocket';
const CLOSE_GRACE_MS = 1000;
/** Messages of one connection waiting for their route handler before the socket stops being read. */
const MAX_QUEUED_MESSAGES = 32;

const lookup = (maps: ValueMaps | undefined, name: string, ignoreCase: boolean): string | undefined => {
  if (!maps) return undefined;
  if (!ignoreCase) return maps.single[name];
  const lower = name.toLowerCase();
  return Object.entries(maps.single).find(([k]) => k.toLowerCase() === lower)?.[1];
};

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

/**
 * Builds the WebSocket side. The handshake stays pending until the authorizer and `$connect` have
 * answered (as on API Gateway), so no message can arrive before `$connect` resolved; after that the
 * events of one connection are delivered one at a time, in order.
 */
export const createWebSocketBridge = (o: {
  settings: GatewaySettings;
  websocket: WebSocketHandler;
  wsAuthorizer?: RequestAuthorizer;
  connections: ConnectionRegistry;
}): WebSocketBridge => {
  const s = o.settings;
  const protocolFor = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_MESSAGE_BYTES,
    // Like API Gateway, a subprotocol is accepted only when $connect answered with it.
    handleProtocols: (offered, req) => {
      const chosen = protocolFor.get(req);
      return chosen !== undefined && offered.has(chosen) ? chosen : false;
    },
  });
  const pending = new Set<Duplex>();
  const live = new Set<Connection>();
  let closing = false;

  const send = (conn: Connection, text: string): void => {
    if (conn.socket.readyState !== WebSocket.OPEN) return;
    if (!hasRoomFor(conn.socket, Buffer.byteLength(text))) {
      s.logger.warn({ connectionId: conn.id }, 'route reply dropped: the client is not reading');
      return;
    }
    conn.socket.send(text);
    conn.lastActiveAt = Date.now();
  };

  const deliver = async (conn: Connection, facts: ConnectionFacts, body: string, isBinary: boolean): Promise<void> => {
    const routeKey = isBinary ? '$default' : selectRoute(body, s.wsRoutes);
    const event = messageEvent(facts, s, routeKey, body, isBinary);
    try {
      const result = await invokeHandler({ handler: o.websocket, event, functionName: WS_FUNCTION, settings: s });
      if (result && typeof result.body === 'string' && result.body !== '') send(conn, result.body);
    } catch (err) {
      s.logger.error({ err, connectionId: conn.id, routeKey }, 'WebSocket route handler failed');
      const message = err instanceof IntegrationTimeoutError ? 'Endpoint request timed out' : 'Internal server error';
      send(conn, JSON.stringify({ message, connectionId: conn.id, requestId: event.requestContext.requestId }));
    }
  };

  const disconnect = async (conn: Connection, facts: ConnectionFacts, code: number, reason: string): Promise<void> => {
    try {
      await invokeHandler({
        handler: o.websocket,
        event: disconnectEvent(facts, s, code, reason),
        functionName: WS_FUNCTION,
        settings: s,
      });
    } catch (err) {
      s.logger.error({ err, connectionId: conn.id }, '$disconnect handler failed');
    } finally {
      live.delete(conn);
    }
  };

  const attach = (ws: WebSocket, facts: ConnectionFacts): void => {
    const conn = createConnection({
      id: facts.connectionId,
      socket: ws,
      connectedAt: facts.connectedAt,
      sourceIp: facts.sourceIp,
      userAgent: facts.userAgent,
      domainName: facts.domainName,
      authorizer: facts.authorizer,
    });
    o.connections.set(conn.id, conn);
    live.add(conn);
    s.logger.info({ connectionId: conn.id }, 'WebSocket connected');
    let queued = 0;
    ws.on('message', (data, isBinary) => {
      conn.lastActiveAt = Date.now();
      const buf = toBuffer(data);
      const body = isBinary ? buf.toString('base64') : buf.toString('utf8');
      // Backpressure instead of an unbounded queue: stop reading the socket while many wait.
      if (++queued >= MAX_QUEUED_MESSAGES) ws.pause();
      conn.enqueue(async () => {
        try {
          await deliver(conn, facts, body, isBinary);
        } finally {
          if (--queued < MAX_QUEUED_MESSAGES / 2 && ws.isPaused) ws.resume();
        }
      });
    });
    ws.on('error', (err) => s.logger.warn({ err, connectionId: conn.id }, 'WebSocket error'));
    ws.once('close', (code, reason) => {
      if (o.connections.get(conn.id) === conn) o.connections.delete(conn.id);
      conn.enqueue(() => disconnect(conn, facts, code, reason.toString('utf8')));
    });
  };

  const authorize = async (
    facts: ConnectionFacts,
    headers: ValueMaps,
    query: ValueMaps | undefined,
  ): Promise<{ status: number; payload: string } | undefined> => {
    if (!o.wsAuthorizer) return undefined;
    const unauthorized = new UnauthorizedError();
    const missing = s.wsIdentitySource.some((src) => !lookup(src.from === 'header' ? headers : query, src.name, src.from === 'header'));
    if (missing) return { status: 401, payload: JSON.stringify(croniumError(unauthorized.code, unauthorized.message)) };
    const outcome = await runAuthorizer({
      authorizer: o.wsAuthorizer,
      event: connectAuthorizerEvent(facts, s, headers, query),
      functionName: 'cronium-local-ws-authorizer',
      settings: s,
    });
    switch (outcome.kind) {
      case 'allow':
        facts.authorizer = outcome.context;
        return undefined;
      case 'unauthorized':
        return { status: 401, payload: JSON.stringify(croniumError(unauthorized.code, unauthorized.message)) };
      case 'forbidden': {
        const forbidden = new ForbiddenError();
        return { status: 403, payload: JSON.stringify(croniumError(forbidden.code, forbidden.message)) };
      }
      case 'failed':
        return { status: 500, payload: JSON.stringify({ message: null }) };
    }
  };

  const connect = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) {
      return rejectUpgrade(socket, 400, JSON.stringify({ message: 'Bad Request' }));
    }
    const headers = readHeaders(req.rawHeaders);
    const query = readQuery(splitTarget(req.url).rawQuery);
    const facts: ConnectionFacts = {
      connectionId: newOpaqueId(),
      connectedAt: Date.now(),
      sourceIp: sourceIpOf(req),
      userAgent: req.headers['user-agent'] ?? null,
      domainName: req.headers.host ?? `${s.host}:${s.port}`,
    };
    const refusal = await authorize(facts, headers, query);
    if (refusal) return rejectUpgrade(socket, refusal.status, refusal.payload);

    try {
      const result = await invokeHandler({
        handler: o.websocket,
        event: connectEvent(facts, s, headers, query),
        functionName: WS_FUNCTION,
        settings: s,
      });
      const status = result?.statusCode ?? 200;
      const protocol = Object.entries(result?.headers ?? {}).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol')?.[1];
      if (protocol !== undefined) protocolFor.set(req, String(protocol));
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        s.logger.error({ status, connectionId: facts.connectionId }, '$connect returned no usable statusCode');
        return rejectUpgrade(socket, 502, JSON.stringify({ message: 'Internal server error' }));
      }
      if (status > 299) return rejectUpgrade(socket, status, result?.body ?? '');
    } catch (err) {
      s.logger.error({ err, connectionId: facts.connectionId }, '$connect handler failed');
      return rejectUpgrade(socket, 502, JSON.stringify({ message: 'Internal server error' }));
    }
    if (closing || socket.destroyed) {
      s.logger.info({ connectionId: facts.connectionId }, 'client left before the handshake completed');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, facts));
  };

  const onSocketError = (err: Error): void => s.logger.warn({ err }, 'upgrade socket error');

  const closeOne = async (conn: Connection): Promise<void> => {
    if (conn.socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => conn.socket.terminate(), CLOSE_GRACE_MS);
        conn.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        conn.socket.close(1001, 'Going Away');
      });
    }
    await conn.drained();
  };

  return {
    async handleUpgrade(req, socket, head) {
      // A reset during or after a refused handshake must not become an uncaught 'error'.
      socket.on('error', onSocketError);
      if (closing) return rejectUpgrade(socket, 503, JSON.stringify({ message: 'Service Unavailable' }));
      pending.add(socket);
      try {
        await connect(req, socket, head);
      } finally {
        pending.delete(socket);
      }
    },
    async close() {
      closing = true;
      for (const socket of pending) socket.destroy();
      await Promise.all([...live].map(closeOne));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
};
