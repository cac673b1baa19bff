import type { OpenApiRoutes } from './openapiOperation';
import { operation, pageOf } from './openapiOperation';
import { z } from 'zod';
import { scheduleDetailsSchema, scheduleSchema } from './openapiViews';
import { createScheduleBody, listSchedulesQuery, previewScheduleBody, updateScheduleBody } from './scheduleSchemas';

const schedulePreviewSchema = z
  .object({ nextFires: z.array(z.object({ utc: z.string(), local: z.string() })) })
  .meta({ id: 'SchedulePreview', description: 'The next fires (up to 5): `utc` and `local` in the zone, ISO 8601.' });

/** `/schedules` (scheduleRoutes.ts). */
export const scheduleOpenApiRoutes: OpenApiRoutes = {
  'POST /schedules': operation({
    summary: 'Create a schedule',
    tags: ['schedules'],
    body: createScheduleBody,
    ok: { status: 201, description: 'created', schema: scheduleSchema },
    errors: [404],
  }),
  'POST /schedules/preview': operation({
    summary: 'Preview the next fires of a timing without saving a schedule',
    tags: ['schedules'],
    body: previewScheduleBody,
    ok: { status: 200, description: 'the next 5 fires, in UTC and in the zone', schema: schedulePreviewSchema },
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
