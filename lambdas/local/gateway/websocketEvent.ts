import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { methodArnOf } from './runAuthorizer';
import { newOpaqueId } from './ids';
import { formatRequestTime, identityOf, type ValueMaps } from './requestParts';
import type { GatewaySettings } from './resolveSettings';
import type { AuthorizerContext, WebSocketEvent, WebSocketRequestContext } from './types';

/** What every event of one connection repeats. */
export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent: string | null;
  domainName: string;
  authorizer?: AuthorizerContext | undefined;
}

const contextFor = (
  f: ConnectionFacts,
  s: GatewaySettings,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
): WebSocketRequestContext => {
  const now = Date.now();
  const requestId = newOpaqueId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: s.stage,
    connectedAt: f.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: f.sourceIp, userAgent: f.userAgent },
    requestId,
    domainName: f.domainName,
    connectionId: f.connectionId,
    apiId: s.apiId,
    ...(f.authorizer ? { authorizer: f.authorizer } : {}),
  };
};

/** The `$connect` event: the upgrade request's headers and query string, `messageId: null`. */
export const connectEvent = (f: ConnectionFacts, s: GatewaySettings, headers: ValueMaps, query: ValueMaps | undefined): WebSocketEvent => ({
  headers: headers.single,
  multiValueHeaders: headers.multi,
  ...(query ? { queryStringParameters: query.single, multiValueQueryStringParameters: query.multi } : {}),
  requestContext: { ...contextFor(f, s, '$connect', 'CONNECT'), messageId: null, disconnectStatusCode: null },
  isBase64Encoded: false,
});

/** A message event for the selected route; `body` is the frame as received. */
export const messageEvent = (
  f: ConnectionFacts,
  s: GatewaySettings,
  routeKey: string,
  body: string,
  isBase64Encoded: boolean,
): WebSocketEvent => ({
  requestContext: { ...contextFor(f, s, routeKey, 'MESSAGE'), messageId: newOpaqueId() },
  body,
  isBase64Encoded,
});

/** The `$disconnect` event with the close code and reason. */
export const disconnectEvent = (f: ConnectionFacts, s: GatewaySettings, code: number, reason: string): WebSocketEvent => ({
  requestContext: { ...contextFor(f, s, '$disconnect', 'DISCONNECT'), disconnectStatusCode: code, disconnectReason: reason },
  isBase64Encoded: false,
});

/** Route selection with `$request.body.action`: a JSON object whose `action` names a route, else `$default`. */
export const selectRoute = (body: string, routes: ReadonlySet<string>): string => {
  try {
    const parsed: unknown = JSON.parse(body);
    const action = typeof parsed === 'object' && parsed !== null ? (parsed as { action?: unknown }).action : undefined;
    return typeof action === 'string' && routes.has(action) ? action : '$default';
  } catch {
    return '$default';
  }
};

/**
 * The REQUEST authorizer event of `$connect`. `resource`, `path`, `httpMethod` and the REST-only
 * `requestContext` fields are filled (`$connect`, the WebSocket path, `GET`) so the shared
 * `APIGatewayRequestAuthorizerEvent` type holds; API Gateway's own WebSocket event may leave them out.
 */
export const connectAuthorizerEvent = (
  f: ConnectionFacts,
  s: GatewaySettings,
  headers: ValueMaps,
  query: ValueMaps | undefined,
): APIGatewayRequestAuthorizerEvent => {
  const ctx = contextFor(f, s, '$connect', 'CONNECT');
  return {
    type: 'REQUEST',
    methodArn: methodArnOf(s, '$connect'),
    resource: '$connect',
    path: s.wsPath,
    httpMethod: 'GET',
    headers: headers.single,
    multiValueHeaders: headers.multi,
    pathParameters: null,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    stageVariables: null,
    requestContext: {
      ...ctx,
      authorizer: undefined,
      accountId: s.accountId,
      identity: identityOf(f.sourceIp, f.userAgent),
      httpMethod: 'GET',
      path: `/${s.stage}`,
      protocol: 'HTTP/1.1',
      resourceId: '$connect',
      resourcePath: '$connect',
      messageId: null,
    },
  };
};
