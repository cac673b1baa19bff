import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ControlPlane, Schedule, ScheduleFire } from '../../core';
import { callerOf } from '../http/caller';
import type { createRouteTable } from '../http/createRouteTable';
import { jsonResponse } from '../http/jsonResponse';
import { parseJsonBody, parseWith } from '../http/parse';
import { createScheduleBody, listSchedulesQuery, previewScheduleBody, updateScheduleBody } from './scheduleSchemas';

type RouteTable = ReturnType<typeof createRouteTable>;

const body = (e: APIGatewayProxyEvent) => parseJsonBody(e.body, e.isBase64Encoded);

/** A schedule as the API shows it: no tenant, no version. */
export const scheduleView = ({ tenant: _t, version: _v, ...rest }: Schedule) => rest;

const fireView = ({ tenant: _t, scheduleId: _s, ...rest }: ScheduleFire) => rest;

/**
 * `/schedules` and `/schedules/{id}`: CRUD, with enable and disable through PATCH; `/schedules/preview`
 * (registered before `:id`) answers the next fires of a timing without saving it.
 */
export const withScheduleRoutes = (cp: ControlPlane, table: RouteTable): RouteTable =>
  table
    .on('POST', '/schedules', async (e) =>
      jsonResponse(201, scheduleView(await cp.schedules.create(callerOf(e), parseWith(createScheduleBody, body(e))))),
    )
    .on('POST', '/schedules/preview', async (e) =>
      jsonResponse(200, { nextFires: cp.schedules.preview(parseWith(previewScheduleBody, body(e))) }),
    )
    .on('GET', '/schedules', async (e) => {
      const page = await cp.schedules.list(callerOf(e), parseWith(listSchedulesQuery, e.queryStringParameters ?? {}));
      return jsonResponse(200, { items: page.items.map(scheduleView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    })
    .on('GET', '/schedules/:id', async (e, p) => {
      const { schedule, nextFires, lastFires } = await cp.schedules.get(callerOf(e), p['id']!);
      return jsonResponse(200, { ...scheduleView(schedule), nextFires, lastFires: lastFires.map(fireView) });
    })
    .on('PATCH', '/schedules/:id', async (e, p) =>
      jsonResponse(200, scheduleView(await cp.schedules.update(callerOf(e), p['id']!, parseWith(updateScheduleBody, body(e))))),
    )
    .on('DELETE', '/schedules/:id', async (e, p) => {
      await cp.schedules.remove(callerOf(e), p['id']!);
      return jsonResponse(204);
    });
