import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Caller } from '../../core';
import { UnauthorizedError } from '../../core';

/** The caller the authorizer resolved; its context arrives in `requestContext.authorizer`. */
export const callerOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller => {
  const ctx = event.requestContext.authorizer as Record<string, unknown> | null | undefined;
  const tenant = ctx?.['tenant'];
  const role = ctx?.['role'];
  if (typeof tenant !== 'string' || (role !== 'admin' && role !== 'user')) throw new UnauthorizedError();
  return { tenant, role };
};
