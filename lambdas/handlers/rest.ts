import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ControlPlane, Logger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import { allowOrigin } from './http/allowOrigin';
import { errorsToHttp } from './http/errorsToHttp';
import { requestMetrics } from './http/requestMetrics';
import { createRestRouter } from './rest/createRestRouter';

/**
 * The REST API handler (`/{proxy+}`), for any runtime's control plane. `corsOrigin` is the one browser
 * origin allowed to read its responses (the web console's on AWS); none on one machine (same origin).
 */
export const createRestHandler = (cp: ControlPlane, logger?: Logger, o: { corsOrigin?: string } = {}) => {
  const router = createRestRouter(cp);
  // allowOrigin first, so its after and onError run last: on the response the error mapping made, too.
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(allowOrigin({ origin: o.corsOrigin }))
    .use(requestMetrics({ metrics: cp.metrics, templateOf: router.templateOf }))
    .use(errorsToHttp({ logger }))
    .handler((event: APIGatewayProxyEvent) => router.route(event));
};

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  // Set by the stack when it hosts the web console on its own (CloudFront) origin.
  return createRestHandler(cp, logger, { corsOrigin: process.env['CRONIUM_CONSOLE_ORIGIN'] || undefined });
});
