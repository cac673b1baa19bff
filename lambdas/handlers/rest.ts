import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ControlPlane, Logger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import { errorsToHttp } from './http/errorsToHttp';
import { requestMetrics } from './http/requestMetrics';
import { createRestRouter } from './rest/createRestRouter';

/** The REST API handler (`/{proxy+}`), for any runtime's control plane. */
export const createRestHandler = (cp: ControlPlane, logger?: Logger) => {
  const router = createRestRouter(cp);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(requestMetrics({ metrics: cp.metrics, templateOf: router.templateOf }))
    .use(errorsToHttp({ logger }))
    .handler((event: APIGatewayProxyEvent) => router.route(event));
};

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  return createRestHandler(cp, logger);
});
