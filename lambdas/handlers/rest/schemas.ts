import { z } from 'zod';
import { ApiKeyRoles, JobStatuses, MAX_RETRIES, MAX_RETRY_BACKOFF_SECONDS, Priorities, Runtimes, WorkspaceLimits } from '../../core';
import { storableProblem } from '../http/jsonRules';
import { notifyRules } from './notifySchemas';
import { toolAction } from './toolSchemas';

/** Largest script accepted inline. */
export const MAX_SCRIPT_BYTES = WorkspaceLimits.maxValueBytes;

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

const resources = z
  .object({
    cpu: z.number().positive(),
    memoryMb: z.number().int().positive(),
    pids: z.number().int().positive(),
    diskMb: z.number().int().positive(),
  })
  .partial()
  .strict();

const httpRequest = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], {
      error: 'must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    }),
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
    headers: z.record(z.string(), z.string({ error: 'values must be strings' })).optional(),
    body: z.string({ error: 'must be a string' }).optional(),
    timeoutMs: z.number().int().positive().optional(),
    expectStatus: z.number().int().min(100).max(599).optional(),
  })
  .strict();

const envValue = z.union([z.string(), z.object({ fromVariable: z.string().min(1) }).strict()], {
  error: 'values must be strings or {"fromVariable": "<key>"}',
});

const target = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('container') }).strict(),
    z.object({ type: z.literal('ssh'), serverIds: z.array(z.string().min(1), { error: 'must be a list of server ids' }) }).strict(),
  ],
  { error: 'type must be "container" or "ssh"' },
);

const retries = z
  .object({
    max: z.number({ error: 'is required and must be a number' }).int('must be a whole number').min(0).max(MAX_RETRIES),
    backoffSeconds: z.number().min(0).max(MAX_RETRY_BACKOFF_SECONDS).optional(),
    factor: z.number().min(1).max(10).optional(),
    maxBackoffSeconds: z.number().min(0).max(MAX_RETRY_BACKOFF_SECONDS).optional(),
  })
  .strict();

const concurrency = z
  .object({
    max: z.number({ error: 'is required and must be a number' }).int('must be a whole number').positive(),
    onLimit: z.enum(['queue', 'skip'], { error: 'must be "queue" or "skip"' }).default('queue'),
  })
  .strict();

const jobSpec = {
  target: target.optional(),
  runtime: z.enum(Runtimes, { error: `must be one of ${Runtimes.join(', ')}` }),
  script: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .refine((s) => Buffer.byteLength(s) <= MAX_SCRIPT_BYTES, `must be at most ${MAX_SCRIPT_BYTES} bytes`)
    .optional(),
  http: httpRequest.optional(),
  tool: toolAction.optional(),
  notify: notifyRules.optional(),
  env: z.record(z.string().regex(envName, 'names must be letters, digits and underscores'), envValue).optional(),
  timeoutSeconds: z.number().int('must be a whole number of seconds').positive().optional(),
  resources: resources.optional(),
  retries: retries.optional(),
  priority: z.enum(Priorities, { error: `must be one of ${Priorities.join(', ')}` }).optional(),
};

/** Most bytes of a run's input as JSON: it shares one 400 KB DynamoDB item with the script. */
export const MAX_INPUT_BYTES = 64 * 1024;

/** The run's input: any JSON value the job record can hold exactly (see storableProblem). */
export const input = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_INPUT_BYTES) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_INPUT_BYTES} bytes as JSON` });
      return;
    }
    const problem = storableProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  })
  .optional();

export const submitJobBody = z.object({ ...jobSpec, input }).strict();

export const runEventBody = z.object({ input }).strict();

const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like SHA256:<43 base64 characters>');

const serverFields = {
  name: z.string({ error: 'is required and must be a string' }).min(1).max(200),
  host: z
    .string({ error: 'is required and must be a string' })
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or address'),
  port: z.number().int().min(1).max(65535).optional(),
  username: z.string({ error: 'is required and must be a string' }).min(1).max(64),
  privateKey: z
    .string({ error: 'is required and must be a string' })
    .min(1)
    .max(64 * 1024),
  passphrase: z.string().min(1).max(1024).optional(),
  hostKeyFingerprint: fingerprint.optional(),
};

export const createServerBody = z.object(serverFields).strict();

export const updateServerBody = z.object(serverFields).partial().strict();

export const putVariableBody = z
  .object({
    value: z.unknown().refine((v) => v !== undefined, 'is required'),
    secret: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

export const eventBody = z
  .object({
    name: z.string({ error: 'is required and must be a string' }).min(1).max(200),
    ...jobSpec,
    concurrency: concurrency.optional(),
  })
  .strict();

export const createKeyBody = z
  .object({
    tenant: z.string({ error: 'is required and must be a string' }),
    role: z.enum(ApiKeyRoles, { error: `must be one of ${ApiKeyRoles.join(', ')}` }).optional(),
  })
  .strict();

/** `GET /keys`: an operator may name another tenant. */
export const listKeysQuery = z.object({ tenant: z.string().optional() });

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * An ISO 8601 instant (a zone or offset required), in the form of `createdAt`: UTC, milliseconds.
 * Finer digits round up, which keeps both `>= since` and `< until` exact.
 */
const createdInstant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-01-31T09:00:00Z' }).transform((s) => {
  const ms = Date.parse(s);
  const finer = /\.\d{3}(\d*)/.exec(s)?.[1] ?? '';
  return new Date(/[1-9]/.test(finer) ? ms + 1 : ms).toISOString();
});

/** `GET /jobs`: filters (all combinable), newest first; `since` inclusive, `until` exclusive, on `createdAt`. */
export const listJobsQuery = z
  .object({
    status: z.enum(JobStatuses, { error: `must be one of ${JobStatuses.join(', ')}` }).optional(),
    eventId: z.string().min(1).optional(),
    runtime: z.enum(Runtimes, { error: `must be one of ${Runtimes.join(', ')}` }).optional(),
    since: createdInstant.optional().meta({ description: 'jobs created at or after this instant' }),
    until: createdInstant.optional().meta({ description: 'jobs created before this instant; must be after `since`' }),
    limit: limit(100, 20),
    cursor: z.string().min(1).optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.until > q.since, { path: ['until'], error: 'must be after since' });

export const listEventsQuery = z.object({
  limit: limit(100, 20),
  cursor: z.string().min(1).optional(),
});

export const logsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: limit(5000, 1000),
});
