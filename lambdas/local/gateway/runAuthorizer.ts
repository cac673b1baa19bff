import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AuthorizerConfigurationError } from './errors';
import { evaluatePolicy } from './evaluatePolicy';
import { invokeHandler } from './invokeHandler';
import type { GatewaySettings } from './resolveSettings';
import type { AuthorizerContext, RequestAuthorizer } from './types';

/** How an authorization attempt ended. `failed` is API Gateway's 500 (misbehaving authorizer). */
export type AuthorizerOutcome =
  { kind: 'allow'; context: AuthorizerContext } | { kind: 'unauthorized' } | { kind: 'forbidden' } | { kind: 'failed' };

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{tail}`, as authorizers receive it. */
export const methodArnOf = (s: GatewaySettings, tail: string): string =>
  `arn:aws:execute-api:${s.region}:${s.accountId}:${s.apiId}/${s.stage}/${tail}`;

/** The REQUEST authorizer event for a REST call: the proxy event's request parts, no body. */
export const toRestAuthorizerEvent = (event: APIGatewayProxyEvent, s: GatewaySettings): APIGatewayRequestAuthorizerEvent => ({
  type: 'REQUEST',
  methodArn: methodArnOf(s, `${event.httpMethod}${event.path}`),
  resource: event.resource,
  path: event.path,
  httpMethod: event.httpMethod,
  headers: event.headers,
  multiValueHeaders: event.multiValueHeaders,
  pathParameters: event.pathParameters,
  queryStringParameters: event.queryStringParameters,
  multiValueQueryStringParameters: event.multiValueQueryStringParameters,
  stageVariables: event.stageVariables,
  requestContext: { ...event.requestContext, authorizer: undefined },
});

/** API Gateway flattens the context to strings and refuses nested values. */
const flattenContext = (context: APIGatewayAuthorizerResult['context']): Record<string, string | null> => {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (value === undefined) continue;
    if (value === null) out[key] = null;
    else if (typeof value === 'object') throw new AuthorizerConfigurationError(`context.${key} must be a scalar`);
    else out[key] = String(value);
  }
  return out;
};

const checkResult = (result: unknown): APIGatewayAuthorizerResult => {
  const r = result as Partial<APIGatewayAuthorizerResult> | null | undefined;
  if (typeof r?.principalId !== 'string') throw new AuthorizerConfigurationError('principalId is missing');
  if (!Array.isArray(r.policyDocument?.Statement)) throw new AuthorizerConfigurationError('policyDocument is missing');
  return r as APIGatewayAuthorizerResult;
};

/**
 * Runs a REQUEST authorizer like API Gateway: a thrown `Error('Unauthorized')` is 401, a policy that does
 * not allow `execute-api:Invoke` on the method ARN is 403, anything else going wrong is a 500.
 * No result caching: every request calls the authorizer (API Gateway caches by identity source).
 */
export const runAuthorizer = async (o: {
  authorizer: RequestAuthorizer;
  event: APIGatewayRequestAuthorizerEvent;
  functionName: string;
  settings: GatewaySettings;
}): Promise<AuthorizerOutcome> => {
  const started = Date.now();
  try {
    const result = checkResult(
      await invokeHandler({ handler: o.authorizer, event: o.event, functionName: o.functionName, settings: o.settings }),
    );
    if (evaluatePolicy(result.policyDocument, o.event.methodArn) === 'deny') return { kind: 'forbidden' };
    return {
      kind: 'allow',
      context: {
        ...flattenContext(result.context),
        principalId: result.principalId,
        integrationLatency: Date.now() - started,
      },
    };
  } catch (err) {
    if (err instanceof Error && err.message === 'Unauthorized') return { kind: 'unauthorized' };
    o.settings.logger.error({ err, methodArn: o.event.methodArn }, 'authorizer failed');
    return { kind: 'failed' };
  }
};
