import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Caller } from '../../core';
import { isApiKeyRole, UnauthorizedError } from '../../core';

/** The caller the authorizer resolved; its context arrives in `requestContext.authorizer`. */
export const callerOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller => {
  const ctx = event.requestContext.authorizer;
  const tenant: unknown = ctx?.['tenant'];
  const role: unknown = ctx?.['role'];
  if (typeof tenant !== 'string' || !isApiKeyRole(role)) throw new UnauthorizedError();
  return { tenant, role };
};
