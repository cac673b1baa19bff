import type {
  APIGatewayAuthorizerResult,
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventHeaders,
  APIGatewayProxyEventMultiValueHeaders,
  APIGatewayProxyEventMultiValueQueryStringParameters,
  APIGatewayProxyEventQueryStringParameters,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { MetricsEndpoint } from './serveMetrics';
import type { ConsoleSite } from './serveConsole';

/** The pino-like logger the gateway reports to; every method takes structured details first. */
export interface GatewayLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** A REST API Lambda proxy integration handler. */
export type RestHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A REST response whose body is written as it is produced (chunked), with no payload limit. */
export interface StreamedRestResult {
  statusCode: number;
  headers: Record<string, string>;
  body: AsyncIterable<string> | Iterable<string>;
}

/**
 * Serves an authorized REST request as a stream, or returns undefined to leave it to `rest`. What
 * API Gateway's Lambda proxy cannot do (answer more than one 6 MB payload), on one machine only.
 */
export type RestStreamHandler = (event: APIGatewayProxyEvent) => Promise<StreamedRestResult | undefined>;

/** A Lambda REQUEST authorizer, as wired to the REST API or to the WebSocket `$connect` route. */
export type RequestAuthorizer = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

/**
 * What an Allow decision puts into `requestContext.authorizer`: the authorizer's `context` with numbers
 * and booleans turned into strings (as API Gateway does), plus `principalId` and `integrationLatency`.
 */
export interface AuthorizerContext {
  principalId: string;
  integrationLatency: number;
  [key: string]: string | number | null;
}

/**
 * `requestContext` of a WebSocket proxy event. `@types/aws-lambda`'s `APIGatewayEventWebsocketRequestContextV2`
 * lacks `identity`, `authorizer` and the disconnect fields, and types `messageId` as always present.
 */
export interface WebSocketRequestContext extends Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> {
  /** A fresh id on MESSAGE events, `null` on CONNECT and absent on DISCONNECT, as API Gateway sends it. */
  messageId?: string | null;
  identity: { sourceIp: string; userAgent: string | null };
  /** The `$connect` authorizer's decision, repeated on every event of the connection. */
  authorizer?: AuthorizerContext;
  /** DISCONNECT only: the close code the connection ended with. */
  disconnectStatusCode?: number | null;
  /** DISCONNECT only: the close reason, `''` when none. */
  disconnectReason?: string;
}

/** A WebSocket API Lambda proxy event (`$connect`, a message route, or `$disconnect`). */
export interface WebSocketEvent {
  requestContext: WebSocketRequestContext;
  /** CONNECT only: the upgrade request's headers, names as sent. */
  headers?: APIGatewayProxyEventHeaders;
  multiValueHeaders?: APIGatewayProxyEventMultiValueHeaders;
  /** CONNECT only; absent when the upgrade URL had no query string. */
  queryStringParameters?: APIGatewayProxyEventQueryStringParameters;
  multiValueQueryStringParameters?: APIGatewayProxyEventMultiValueQueryStringParameters;
  /** MESSAGE only: the frame as received (base64 for a binary frame). */
  body?: string;
  isBase64Encoded: boolean;
}

/** What a WebSocket route handler may return; an `APIGatewayProxyResult` fits. */
export interface WebSocketResult {
  /** `$connect`: a non-2xx code rejects the handshake with it. Missing means 200. */
  statusCode?: number;
  /** Message routes: a non-empty body goes back to the caller as one text frame (a two-way route). */
  body?: string;
  /** `$connect`: `Sec-WebSocket-Protocol` picks the subprotocol the handshake accepts. */
  headers?: { [header: string]: boolean | number | string };
}

/** The one Lambda behind every WebSocket route. */
export type WebSocketHandler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult | void>;

/** Options of {@link createLocalGateway}. */
export interface LocalGatewayOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8080 */
  port?: number;
  /** Stage name in events, method ARNs and the optional management path prefix. @default 'local' */
  stage?: string;
  /** Largest REST request body; a larger one gets 413. @default 1 MiB */
  maxBodyBytes?: number;
  /**
   * Time a REST request body has to arrive in full once the request is authorized; past it the
   * gateway answers 408 and closes the connection (a body shorter than its `Content-Length`).
   * @default 10000
   */
  bodyTimeoutMs?: number;
  /** Handler of every HTTP request outside `wsPath` and `/@connections/*`, as a `/{proxy+}` ANY resource. */
  rest: RestHandler;
  /**
   * Tried first for every authorized REST request without a body (log downloads); what it serves is
   * written as a stream, past `timeoutMs`. @default none
   */
  restStream?: RestStreamHandler;
  /** REQUEST authorizer of the REST API; its identity source is the `Authorization` header. */
  restAuthorizer?: RequestAuthorizer;
  /** Exact paths served without the REST authorizer (e.g. `/health`). @default [] */
  publicPaths?: string[];
  /**
   * Content types whose request bodies reach the handler base64-encoded (`type/*` wildcards allowed),
   * like the REST API's `binaryMediaTypes`. @default ['application/octet-stream', 'application/zip', 'application/gzip', 'image/*']
   */
  binaryMediaTypes?: string[];
  /** Path of the WebSocket endpoint. @default '/ws' */
  wsPath?: string;
  /** Handler of every WebSocket route. */
  websocket: WebSocketHandler;
  /** REQUEST authorizer of the `$connect` route. */
  wsAuthorizer?: RequestAuthorizer;
  /**
   * Identity sources of `wsAuthorizer`, in API Gateway syntax; a missing one rejects with 401 before
   * the authorizer runs. @default ['route.request.querystring.token']
   */
  wsIdentitySource?: string[];
  /** Route keys selected by `$request.body.action`; any other message goes to `$default`. @default [] */
  wsRoutes?: string[];
  /** When set, `/@connections` requests must be SigV4-signed with this access key id, else 403. */
  managementAccessKeyId?: string;
  /** Integration timeout of every handler call; past it REST answers 504. @default 29000 */
  timeoutMs?: number;
  /** @default a logger that drops everything */
  logger?: GatewayLogger;
  /** Served at `GET /metrics`, outside the REST authorizer (see serveMetrics.ts). @default none: `/metrics` reaches REST */
  metrics?: MetricsEndpoint;
  /** The web console, served at `/` and `/console/*` (those paths then never reach REST). @default none */
  console?: ConsoleSite;
}

/** A running (or ready to run) local gateway. */
export interface LocalGateway {
  /** Starts listening. @returns the base URL (also the management API endpoint) and the bound port. */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Pushes one text frame to a connection in this process, without the management API's HTTP round
   * trip: the same outcomes (`gone` for 410, `throttled` for 429) under the same 1 MiB unread rule.
   */
  push(connectionId: string, data: Buffer): 'sent' | 'gone' | 'throttled';
  /**
   * Stops accepting connections, lets REST requests being answered finish for up to `graceMs`
   * (default 0), then closes every WebSocket (1001, each `$disconnect` delivered) and every connection.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}
