import type { APIGatewayProxyEvent } from 'aws-lambda';
import { newOpaqueId, newResourceId } from './ids';
import { formatRequestTime, identityOf, readHeaders, readQuery } from './requestParts';
import type { GatewaySettings } from './resolveSettings';

/** What the REST event is built from. */
export interface RestRequest {
  method: string;
  /** The decoded path. */
  path: string;
  rawQuery: string;
  rawHeaders: readonly string[];
  sourceIp: string;
  requestId: string;
  requestTimeEpoch: number;
}

/**
 * A REST proxy event for a `/{proxy+}` ANY resource, without body and authorizer (added later).
 * `/` itself is its own resource, as `/{proxy+}` does not match it on API Gateway either.
 * `requestContext.path` carries the stage prefix, as on the default execute-api domain.
 */
export const buildRestEvent = (r: RestRequest, s: GatewaySettings): APIGatewayProxyEvent => {
  const headers = readHeaders(r.rawHeaders);
  const query = readQuery(r.rawQuery);
  const isRoot = r.path === '/';
  const resource = isRoot ? '/' : '/{proxy+}';
  const userAgent = Object.entries(headers.single).find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? null;
  const host = Object.entries(headers.single).find(([k]) => k.toLowerCase() === 'host')?.[1] ?? `${s.host}:${s.port}`;
  return {
    resource,
    path: r.path,
    httpMethod: r.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters: isRoot ? null : { proxy: r.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: s.accountId,
      apiId: s.apiId,
      authorizer: undefined,
      domainName: host,
      domainPrefix: host.split('.')[0]?.split(':')[0] ?? host,
      extendedRequestId: newOpaqueId(),
      httpMethod: r.method,
      identity: identityOf(r.sourceIp, userAgent),
      path: `/${s.stage}${r.path}`,
      protocol: 'HTTP/1.1',
      requestId: r.requestId,
      requestTime: formatRequestTime(r.requestTimeEpoch),
      requestTimeEpoch: r.requestTimeEpoch,
      resourceId: newResourceId(),
      resourcePath: resource,
      stage: s.stage,
    },
    body: null,
    isBase64Encoded: false,
  };
};

/** Whether a content type is one of `binaryMediaTypes` (`type/*` matches a whole type). */
export const isBinaryMediaType = (contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean => {
  const mime = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mime) return false;
  return binaryMediaTypes.some((t) => {
    const want = t.toLowerCase();
    return want === '*/*' || want === mime || (want.endsWith('/*') && mime.startsWith(want.slice(0, -1)));
  });
};

/** Puts the body in: `null` when empty, base64 for binary media types, UTF-8 text otherwise. */
export const withBody = (
  event: APIGatewayProxyEvent,
  body: Buffer,
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): APIGatewayProxyEvent => {
  if (body.length === 0) return { ...event, body: null, isBase64Encoded: false };
  const binary = isBinaryMediaType(contentType, binaryMediaTypes);
  return { ...event, body: body.toString(binary ? 'base64' : 'utf8'), isBase64Encoded: binary };
};
