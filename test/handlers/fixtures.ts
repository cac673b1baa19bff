import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, Context, SQSEvent } from 'aws-lambda';

export const fakeContext = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** A REST proxy event as API Gateway sends it after the authorizer allowed the caller. */
export const restEvent = (
  method: string,
  path: string,
  o: { body?: unknown; raw?: string; query?: Record<string, string>; tenant?: string; role?: string; noAuth?: boolean } = {},
): APIGatewayProxyEvent =>
  ({
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: o.raw ?? (o.body === undefined ? null : JSON.stringify(o.body)),
    isBase64Encoded: false,
    requestContext: {
      authorizer: o.noAuth ? null : { tenant: o.tenant ?? 'acme', role: o.role ?? 'user', principalId: o.tenant ?? 'acme' },
    },
  }) as unknown as APIGatewayProxyEvent;

/**
 * A REQUEST authorizer event: the REST API's (`GET /jobs`) or, with `connect`, the WebSocket
 * `$connect` route's (`requestContext.eventType: 'CONNECT'`). `headers` lists every
 * `Authorization` header sent, for requests that repeat it.
 */
export const authorizerEvent = (o: {
  header?: string;
  headers?: string[];
  token?: string;
  tokens?: string[];
  connect?: boolean;
}): APIGatewayRequestAuthorizerEvent => {
  const headers = o.headers ?? (o.header ? [o.header] : []);
  const tokens = o.tokens ?? (o.token ? [o.token] : []);
  return {
    type: 'REQUEST',
    methodArn: o.connect
      ? 'arn:aws:execute-api:eu-west-1:123456789012:ws123/prod/$connect'
      : 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/jobs',
    headers: headers.length ? { Authorization: headers.at(-1) } : {},
    multiValueHeaders: headers.length ? { Authorization: headers } : {},
    queryStringParameters: tokens.length ? { token: tokens.at(-1) } : null,
    multiValueQueryStringParameters: tokens.length ? { token: tokens } : null,
    requestContext: o.connect ? { eventType: 'CONNECT', routeKey: '$connect' } : { httpMethod: 'GET', path: '/prod/jobs' },
  } as unknown as APIGatewayRequestAuthorizerEvent;
};

export const sqsEvent = (bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m${i}`,
    receiptHandle: `r${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
    awsRegion: 'eu-west-1',
  })),
});
