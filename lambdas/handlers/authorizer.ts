import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { ControlPlane } from '../core';
import { UnauthorizedError } from '../core';
import { lazyHandler } from './aws/lazyHandler';

type KeySources = Partial<
  Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders' | 'queryStringParameters' | 'multiValueQueryStringParameters'>
> & { requestContext?: unknown };

/** Every value of a header, whatever the casing of its name(s). */
const headerValues = (event: KeySources, name: string): string[] => {
  const multi = Object.entries(event.multiValueHeaders ?? {})
    .filter(([n]) => n.toLowerCase() === name)
    .flatMap(([, values]) => values ?? []);
  if (multi.length > 0) return multi;
  return Object.entries(event.headers ?? {})
    .filter(([n, value]) => n.toLowerCase() === name && value !== undefined)
    .map(([, value]) => value as string);
};

/** A WebSocket `$connect` authorizer event; REST authorizer events carry no `eventType`. */
const isWebSocketConnect = (event: KeySources): boolean =>
  (event.requestContext as { eventType?: unknown } | undefined)?.eventType === 'CONNECT';

/**
 * The key a request presents: `Authorization: Bearer <key>` or, on a WebSocket `$connect` only,
 * `?token=<key>` (browsers cannot set headers on a handshake). Ambiguous credentials present no
 * key: two `Authorization` headers, two tokens, or a header and a token that differ.
 */
export const presentedKey = (event: KeySources): string | undefined => {
  const headers = headerValues(event, 'authorization');
  if (headers.length > 1) return undefined;
  const bearer = headers[0]?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!isWebSocketConnect(event)) return bearer;
  const tokens = event.multiValueQueryStringParameters?.['token'] ?? [];
  if (tokens.length > 1) return undefined;
  const token = event.queryStringParameters?.['token'];
  if (headers.length > 0 && token !== undefined && token !== bearer) return undefined;
  return bearer ?? token;
};

/** Allows every route of the same API and stage, so a cached answer fits all of them. */
const stageWildcard = (methodArn: string) => methodArn.split('/').slice(0, 2).join('/') + '/*';

/**
 * The REQUEST authorizer for both APIs. API Gateway turns the thrown `Unauthorized` into a 401.
 * @throws Error('Unauthorized') for a missing, unknown or ambiguous key (see presentedKey).
 */
export const createAuthorizerHandler =
  (cp: ControlPlane) =>
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let caller;
    try {
      caller = await cp.auth.authenticate(presentedKey(event));
    } catch (err) {
      if (err instanceof UnauthorizedError) throw new Error('Unauthorized', { cause: err });
      throw err;
    }
    return {
      principalId: caller.tenant,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
      },
      context: { tenant: caller.tenant, role: caller.role },
    };
  };

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>(async () => {
  const { awsComposition } = await import('./aws/composition');
  return createAuthorizerHandler(awsComposition().cp);
});
