import type { OpenApiRoutes } from './openapiOperation';
import { operation, pageOf } from './openapiOperation';
import { scheduleDetailsSchema, scheduleSchema } from './openapiViews';
import { createScheduleBody, listSchedulesQuery, updateScheduleBody } from './scheduleSchemas';

/** `/schedules` (scheduleRoutes.ts). */
export const scheduleOpenApiRoutes: OpenApiRoutes = {
  'POST /schedules': operation({
    summary: 'Create a schedule',
    tags: ['schedules'],
    body: createScheduleBody,
    ok: { status: 201, description: 'created', schema: scheduleSchema },
    errors: [404],
  }),
  'GET /schedules': operation({
    summary: 'List schedules',
    tags: ['schedules'],
    query: listSchedulesQuery,
    ok: { status: 200, description: 'a page of schedules', schema: pageOf(scheduleSchema) },
  }),
  'GET /schedules/:id': operation({
    summary: 'Get a schedule with its next and last fires',
    tags: ['schedules'],
    params: ['id'],
    ok: { status: 200, description: 'the schedule', schema: scheduleDetailsSchema },
    errors: [404],
  }),
  'PATCH /schedules/:id': operation({
    summary: 'Change, enable or disable a schedule',
    tags: ['schedules'],
    params: ['id'],
    body: updateScheduleBody,
    ok: { status: 200, description: 'updated', schema: scheduleSchema },
    errors: [404],
  }),
  'DELETE /schedules/:id': operation({
    summary: 'Delete a schedule',
    tags: ['schedules'],
    params: ['id'],
    ok: { status: 204, description: 'done' },
    errors: [404],
  }),
};
