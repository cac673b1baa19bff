import type { ControlPlane } from '../../core';
import type { createRouteTable } from '../http/createRouteTable';
import { jsonResponse } from '../http/jsonResponse';
import { openApiDocument } from './openapiDocument';

type RouteTable = ReturnType<typeof createRouteTable>;

/** Paths served without an API key (local gateway `publicPaths`, CDK methods with no authorizer). */
export const PublicPaths = ['/live', '/ready', '/health', '/openapi.json'] as const;

/** A JSON answer no cache keeps: health changes from one request to the next. */
const fresh = (status: number, body: unknown) => {
  const response = jsonResponse(status, body);
  return { ...response, headers: { ...response.headers, 'cache-control': 'no-store' } };
};

/** `/live`, `/ready`, `/health` and `/openapi.json`: unauthenticated, no tenant data. */
export const withHealthRoutes = (cp: ControlPlane, table: RouteTable): RouteTable =>
  table
    .on('GET', '/live', async () => fresh(200, cp.health.live()))
    .on('GET', '/ready', async () => {
      const report = await cp.health.ready();
      return fresh(report.status === 'ok' ? 200 : 503, report);
    })
    .on('GET', '/health', async () => {
      const report = await cp.health.health();
      return fresh(report.status === 'ok' ? 200 : 503, report);
    })
    .on('GET', '/openapi.json', async () => jsonResponse(200, openApiDocument()));
