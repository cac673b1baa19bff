import type middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * middy middleware: lets a page on `origin` (the web console's, on AWS) read every response, errors
 * included: `Access-Control-Allow-Origin` names that one origin, never `*`. The preflight never gets
 * here (API Gateway answers it: lib/RestApiConstruct.ts). With no origin it does nothing, as on one
 * machine, where the console is the API's own origin.
 */
export const allowOrigin = (opts: { origin?: string } = {}): middy.MiddlewareObj<unknown, APIGatewayProxyResult> => {
  const { origin } = opts;
  const addHeaders = async (request: middy.Request<unknown, APIGatewayProxyResult>) => {
    if (!origin || !request.response) return;
    request.response.headers = { ...request.response.headers, 'access-control-allow-origin': origin, vary: 'Origin' };
  };
  return { after: addHeaders, onError: addHeaders };
};
