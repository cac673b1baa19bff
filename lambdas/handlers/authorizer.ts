import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { ControlPlane } from '../core';
import { UnauthorizedError } from '../core';
import { lazyHandler } from './aws/lazyHandler';

/** The key from `Authorization: Bearer <key>` or, for WebSocket handshakes, `?token=<key>`. */
export const presentedKey = (event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'queryStringParameters'>) => {
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? event.queryStringParameters?.['token'] ?? undefined;
};

/** Allows every route of the same API and stage, so a cached answer fits all of them. */
const stageWildcard = (methodArn: string) => methodArn.split('/').slice(0, 2).join('/') + '/*';

/**
 * The REQUEST authorizer for both APIs. API Gateway turns the thrown `Unauthorized` into a 401.
 * @throws Error('Unauthorized') for a missing or unknown key.
 */
export const createAuthorizerHandler =
  (cp: ControlPlane) =>
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let caller;
    try {
      caller = await cp.auth.authenticate(presentedKey(event));
    } catch (err) {
      if (err instanceof UnauthorizedError) throw new Error('Unauthorized');
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
