import type middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from '../../core';
import { ControlPlaneError, ErrorCodes, silentLogger, TooManyQueuedError } from '../../core';
import { MethodNotAllowedError } from './createRouteTable';
import { jsonResponse } from './jsonResponse';

/** Codes a caller can act on; anything else is ours and becomes a bare 500. */
const statusByCode: Partial<Record<string, number>> = {
  [ErrorCodes.invalidInput]: 400,
  [ErrorCodes.unauthorized]: 401,
  [ErrorCodes.forbidden]: 403,
  [ErrorCodes.notFound]: 404,
  [ErrorCodes.methodNotAllowed]: 405,
  [ErrorCodes.conflict]: 409,
  [ErrorCodes.tooManyQueued]: 429,
};

/** Maps an error to `{error: {code, message}}`; unexpected ones are logged, never shown. */
export const errorResponse = (
  err: unknown,
  logger: Logger,
  context: { requestId?: string; route?: string } = {},
): APIGatewayProxyResult => {
  if (err instanceof ControlPlaneError) {
    const status = statusByCode[err.code];
    if (status) {
      const response = jsonResponse(status, { error: { code: err.code, message: err.message } });
      // A 405 names the methods the path has (RFC 9110, 15.5.6).
      if (err instanceof MethodNotAllowedError) response.headers = { ...response.headers, allow: err.allowed.join(', ') };
      if (err instanceof TooManyQueuedError) response.headers = { ...response.headers, 'retry-after': String(err.retryAfterSeconds) };
      return response;
    }
  }
  logger.error({ err, ...context }, 'unhandled error');
  return jsonResponse(500, { error: { code: ErrorCodes.internal, message: 'internal error' } });
};

/** middy middleware: every thrown error becomes a JSON error response. */
export const errorsToHttp = (opts: { logger?: Logger } = {}): middy.MiddlewareObj<unknown, APIGatewayProxyResult> => {
  const logger = opts.logger ?? silentLogger;
  return {
    onError: async (request) => {
      const event = request.event as { requestContext?: { requestId?: string } } | undefined;
      request.response = errorResponse(request.error, logger, { requestId: event?.requestContext?.requestId });
    },
  };
};
