import { z } from 'zod';
import { ApiKeyRoles, JobStatuses, LogStreams, NotificationStatuses, NotifyOns, Runtimes } from '../../core';

/** Response shapes of the API (views.ts and the core's views), for the OpenAPI document only. */

const jobError = z.object({ code: z.string(), message: z.string() });

const target = z.union([z.object({ type: z.literal('container') }), z.object({ type: z.literal('ssh'), serverIds: z.array(z.string()) })]);

/** One notification of a job or a workflow run (docs/notifications.md). */
export const notificationSchema = z
  .object({
    on: z.enum(NotifyOns),
    action: z.string().meta({ description: 'where it goes: a URL, an address or a variable name, never a secret' }),
    status: z.enum(NotificationStatuses),
    attempts: z.number().int(),
    lastError: z.string().optional(),
    nextAttemptAt: z.string().optional(),
    sentAt: z.string().optional(),
  })
  .meta({ id: 'Notification' });

export const jobSchema = z
  .object({
    id: z.string(),
    status: z.enum(JobStatuses),
    runtime: z.enum(Runtimes),
    eventId: z.string().optional(),
    eventName: z.string().optional().describe('the name of the event it ran, as it was then'),
    scheduleId: z.string().optional(),
    scheduledAt: z.string().optional(),
    exitCode: z.number().int().optional(),
    error: jobError.optional(),
    createdAt: z.string(),
    claimedAt: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    durationMs: z.number().optional(),
    timeoutSeconds: z.number().int(),
    resources: z.record(z.string(), z.number()),
    output: z.unknown().optional(),
    condition: z.boolean().optional(),
    outputError: z.string().optional(),
    target: target.optional(),
    executions: z
      .array(
        z.looseObject({
          serverId: z.string(),
          serverName: z.string(),
          status: z.string(),
          exitCode: z.number().int().optional(),
          error: jobError.optional(),
        }),
      )
      .optional(),
    notifications: z
      .array(notificationSchema)
      .optional()
      .meta({ description: 'GET /jobs/{id} only: the notifications of its notify rules, sent, pending or failed' }),
  })
  .meta({ id: 'Job' });

export const eventSchema = z
  .looseObject({ id: z.string(), name: z.string(), runtime: z.enum(Runtimes), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Event', description: 'The saved definition as posted, with its id and times.' });

export const logPageSchema = z
  .object({
    items: z.array(
      z.object({ seq: z.number().int(), stream: z.enum(LogStreams), ts: z.string(), line: z.string(), server: z.string().optional() }),
    ),
    nextSeq: z.number().int(),
  })
  .meta({ id: 'LogPage' });

export const variableSchema = z
  .object({ key: z.string(), secret: z.boolean(), value: z.unknown().optional(), updatedAt: z.string() })
  .meta({ id: 'Variable', description: 'A secret variable never shows its value.' });

export const serverSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    host: z.string(),
    port: z.number().int(),
    username: z.string(),
    hostKeyFingerprint: z.string().optional(),
    hostKeyTrustedAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Server' });

export const serverTestSchema = z
  .union([
    z.object({ ok: z.literal(true), fingerprint: z.string(), latencyMs: z.number(), remoteUser: z.string() }),
    z.object({ ok: z.literal(false), error: jobError }),
  ])
  .meta({ id: 'ServerTest' });

const keyFields = { id: z.string(), tenant: z.string(), role: z.enum(ApiKeyRoles), createdAt: z.string() };

export const issuedKeySchema = z
  .object({ ...keyFields, key: z.string().meta({ description: 'shown once; only its hash is kept' }) })
  .meta({ id: 'IssuedKey' });

export const keySummarySchema = z.object({ ...keyFields, lastFour: z.string().optional() }).meta({ id: 'ApiKey' });

export const scheduleSchema = z
  .looseObject({ id: z.string(), name: z.string(), target: z.object({ eventId: z.string().optional() }), enabled: z.boolean() })
  .meta({ id: 'Schedule', description: 'The schedule as posted, with its id, times and state.' });

export const scheduleDetailsSchema = z
  .looseObject({
    id: z.string(),
    nextFires: z.array(z.unknown()),
    lastFires: z.array(z.unknown()),
  })
  .meta({ id: 'ScheduleDetails' });
