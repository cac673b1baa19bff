import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocket } from 'ws';
import type { ConnectionRegistry } from './createConnection';
import { PayloadTooLargeError } from './errors';
import { newRequestId } from './ids';
import { readBody } from './readBody';
import { sendJson } from './respond';
import { pushToConnection } from './pushToConnection';
import { MAX_WS_MESSAGE_BYTES, type GatewaySettings } from './resolveSettings';

/** Serves the `@connections` API for one connection id. */
export interface ManagementApi {
  handle(req: IncomingMessage, res: ServerResponse, connectionId: string): Promise<void>;
}

/**
 * The API Gateway Management API (`POST|GET|DELETE /@connections/{id}`) over the local connections,
 * answering in the service's REST-JSON wire format so the real `ApiGatewayManagementApiClient` works:
 * camelCase members, ISO-8601 times, errors named by `x-amzn-ErrorType`.
 * `POST` answers 429 `LimitExceededException` while the client has more than
 * `OutboundLimits.maxBufferedBytes` unread, and otherwise 200 as soon as the frame is queued.
 * With `managementAccessKeyId` set, only the access key id in the SigV4 `Authorization` header is
 * checked, not the signature: a guard against other local processes, not authentication.
 */
export const createManagementApi = (o: { settings: GatewaySettings; connections: ConnectionRegistry }): ManagementApi => {
  const s = o.settings;

  const credentialRefusal = (req: IncomingMessage): { errorType: string; message: string } | undefined => {
    if (s.managementAccessKeyId === undefined) return undefined;
    const authorization = req.headers.authorization;
    if (!authorization) return { errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    if (!authorization.includes(`Credential=${s.managementAccessKeyId}/`)) {
      return { errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    }
    return undefined;
  };

  return {
    async handle(req, res, connectionId) {
      const requestId = newRequestId();
      const gone = (): void =>
        sendJson(res, 410, { message: `connection ${connectionId} is gone` }, { errorType: 'GoneException', requestId });
      let data: Buffer;
      try {
        data = await readBody(req, MAX_WS_MESSAGE_BYTES);
      } catch (err) {
        if (!(err instanceof PayloadTooLargeError)) return;
        sendJson(res, 413, { message: err.message }, { errorType: 'PayloadTooLargeException', requestId });
        return;
      }
      const refusal = credentialRefusal(req);
      if (refusal) {
        s.logger.warn({ connectionId, reason: refusal.errorType }, 'management request refused');
        sendJson(res, 403, { message: refusal.message }, { errorType: refusal.errorType, requestId });
        return;
      }
      if (req.method === 'POST') {
        const outcome = pushToConnection(o.connections, connectionId, data, s.logger);
        if (outcome === 'gone') return gone();
        if (outcome === 'throttled') {
          sendJson(
            res,
            429,
            { message: `connection ${connectionId} is not reading fast enough` },
            { errorType: 'LimitExceededException', requestId },
          );
          return;
        }
        res.writeHead(200, { 'Content-Length': '0', 'x-amzn-RequestId': requestId }).end();
        return;
      }
      const conn = o.connections.get(connectionId);
      if (!conn || conn.socket.readyState !== WebSocket.OPEN) return gone();

      switch (req.method) {
        case 'GET':
          sendJson(
            res,
            200,
            {
              connectedAt: new Date(conn.connectedAt).toISOString(),
              identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
              lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
            },
            { requestId },
          );
          return;
        case 'DELETE':
          // Gone from now on, even while the close handshake is still running.
          o.connections.delete(connectionId);
          conn.socket.close(1000);
          res.writeHead(204, { 'x-amzn-RequestId': requestId }).end();
          return;
        default:
          sendJson(res, 405, { message: `${req.method} is not supported on @connections` }, { requestId });
      }
    },
  };
};
