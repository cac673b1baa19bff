import { z } from 'zod';
import { CatchUpPolicies, DstPolicies, OverlapPolicies } from '../../core';
import { notifyRules } from './notifySchemas';
import { input } from './schemas';

const text = (max: number) =>
  z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const target = z
  .object({ eventId: text(128).optional(), workflowId: text(128).optional() })
  .strict()
  .refine((t) => t.eventId !== undefined || t.workflowId !== undefined, { message: 'needs eventId' });

const fields = {
  name: text(200),
  target,
  cron: text(200).optional(),
  at: text(64).optional(),
  rate: text(64).optional(),
  timezone: text(64).optional(),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
  input,
  notify: notifyRules.optional(),
  catchUp: z.enum(CatchUpPolicies).optional(),
  overlap: z.enum(OverlapPolicies).optional(),
  dst: z.enum(DstPolicies).optional(),
  startAt: text(64).optional(),
  endAt: text(64).optional(),
};

/** `POST /schedules`. */
export const createScheduleBody = z.object(fields).strict();

/** `POST /schedules/preview`: the timing fields of a schedule body. */
export const previewScheduleBody = z
  .object({
    cron: fields.cron,
    at: fields.at,
    rate: fields.rate,
    timezone: fields.timezone,
    dst: fields.dst,
    startAt: fields.startAt,
    endAt: fields.endAt,
  })
  .strict();

/** `PATCH /schedules/{id}`: any field; `null` clears input, startAt or endAt. */
export const updateScheduleBody = z
  .object({
    ...fields,
    name: fields.name.optional(),
    target: target.optional(),
    input: z.union([z.null(), input]),
    notify: notifyRules.nullable().optional(),
    startAt: text(64).nullable().optional(),
    endAt: text(64).nullable().optional(),
  })
  .strict();

export const listSchedulesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});
