import type { ControlPlane } from '../../core';
import { callerOf } from '../http/caller';
import type { createRouteTable } from '../http/createRouteTable';
import { jsonResponse } from '../http/jsonResponse';
import { parseWith } from '../http/parse';
import { statsQuery } from './statsSchemas';

type RouteTable = ReturnType<typeof createRouteTable>;

/** `GET /stats`: the caller's tenant's job statistics (docs/statistics.md). */
export const withStatsRoutes = (cp: ControlPlane, table: RouteTable): RouteTable =>
  table.on('GET', '/stats', async (e) =>
    jsonResponse(200, await cp.stats.read(callerOf(e), parseWith(statsQuery, e.queryStringParameters ?? {}))),
  );
