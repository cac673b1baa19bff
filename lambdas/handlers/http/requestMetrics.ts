import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Metrics } from '../../core';

/** A route that matched nothing: one label value for every unknown path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * middy middleware: counts each request and its latency by method and route TEMPLATE
 * (`/jobs/:id`), never the raw path, so ids never become label values. Runs after the error
 * mapping, so a refused request counts with its 4xx.
 */
export const requestMetrics = (o: {
  metrics: Metrics;
  templateOf: (method: string, path: string) => string | undefined;
}): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const started = new WeakMap<object, number>();
  const record = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    const event = request.event;
    const route = o.templateOf(event.httpMethod, event.path) ?? UNMATCHED_ROUTE;
    const labels = { method: event.httpMethod, route };
    const start = started.get(event);
    if (start !== undefined) o.metrics.observe('cronium_api_request_duration_seconds', (performance.now() - start) / 1000, labels);
    o.metrics.count('cronium_api_requests_total', { ...labels, status: String(request.response?.statusCode ?? 500) });
  };
  return {
    before: async (request) => {
      started.set(request.event, performance.now());
    },
    after: async (request) => record(request),
    onError: async (request) => record(request),
  };
};
