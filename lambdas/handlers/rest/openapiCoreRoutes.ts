import { z } from 'zod';
import type { OpenApiRoutes } from './openapiOperation';
import { operation, pageOf } from './openapiOperation';
import {
  eventSchema,
  issuedKeySchema,
  jobSchema,
  keySummarySchema,
  logPageSchema,
  serverSchema,
  serverTestSchema,
  variableSchema,
} from './openapiViews';
import {
  createKeyBody,
  createServerBody,
  eventBody,
  listEventsQuery,
  listJobsQuery,
  listKeysQuery,
  logsQuery,
  putVariableBody,
  runEventBody,
  submitJobBody,
  updateServerBody,
} from './schemas';

const noContent = { status: 204, description: 'done' } as const;

/** Jobs, events, variables, servers and keys (createRestRouter.ts). */
export const coreOpenApiRoutes: OpenApiRoutes = {
  'POST /jobs': operation({
    summary: 'Submit an ad-hoc job',
    tags: ['jobs'],
    body: submitJobBody,
    ok: { status: 202, description: 'queued', schema: jobSchema },
  }),
  'GET /jobs': operation({
    summary: 'List jobs, newest first, by status, event, runtime and creation time (all combinable)',
    tags: ['jobs'],
    query: listJobsQuery,
    ok: { status: 200, description: 'a page of jobs', schema: pageOf(jobSchema) },
  }),
  'GET /jobs/:id': operation({
    summary: 'Get a job',
    tags: ['jobs'],
    params: ['id'],
    ok: { status: 200, description: 'the job', schema: jobSchema },
    errors: [404],
  }),
  'GET /jobs/:id/logs': operation({
    summary: 'Read stored log lines after a sequence number',
    tags: ['jobs'],
    params: ['id'],
    query: logsQuery,
    ok: { status: 200, description: 'lines after `after`', schema: logPageSchema },
    errors: [404],
  }),
  'POST /jobs/:id/cancel': operation({
    summary: 'Cancel a job',
    tags: ['jobs'],
    params: ['id'],
    ok: { status: 202, description: 'cancelled or being stopped', schema: jobSchema },
    errors: [404, 409],
  }),

  'POST /events': operation({
    summary: 'Create an event',
    tags: ['events'],
    body: eventBody,
    ok: { status: 201, description: 'created', schema: eventSchema },
  }),
  'GET /events': operation({
    summary: 'List events',
    tags: ['events'],
    query: listEventsQuery,
    ok: { status: 200, description: 'a page of events', schema: pageOf(eventSchema) },
  }),
  'GET /events/:id': operation({
    summary: 'Get an event',
    tags: ['events'],
    params: ['id'],
    ok: { status: 200, description: 'the event', schema: eventSchema },
    errors: [404],
  }),
  'PUT /events/:id': operation({
    summary: 'Replace an event',
    tags: ['events'],
    params: ['id'],
    body: eventBody,
    ok: { status: 200, description: 'updated', schema: eventSchema },
    errors: [404],
  }),
  'DELETE /events/:id': operation({ summary: 'Delete an event', tags: ['events'], params: ['id'], ok: noContent, errors: [404] }),
  'POST /events/:id/runs': operation({
    summary: 'Run an event',
    tags: ['events'],
    params: ['id'],
    body: runEventBody,
    bodyRequired: false,
    ok: { status: 202, description: 'queued', schema: jobSchema },
    errors: [404],
  }),

  'GET /variables': operation({
    summary: 'List variables',
    tags: ['variables'],
    ok: { status: 200, description: 'every variable of the tenant', schema: z.object({ items: z.array(variableSchema) }) },
  }),
  'PUT /variables/:key': operation({
    summary: 'Set a variable',
    tags: ['variables'],
    params: ['key'],
    body: putVariableBody,
    ok: { status: 200, description: 'stored', schema: variableSchema },
  }),
  'DELETE /variables/:key': operation({ summary: 'Delete a variable', tags: ['variables'], params: ['key'], ok: noContent, errors: [404] }),

  'GET /servers': operation({
    summary: 'List servers',
    tags: ['servers'],
    ok: { status: 200, description: 'every server of the tenant', schema: z.object({ items: z.array(serverSchema) }) },
  }),
  'POST /servers': operation({
    summary: 'Add a server',
    tags: ['servers'],
    body: createServerBody,
    ok: { status: 201, description: 'created', schema: serverSchema },
  }),
  'GET /servers/:id': operation({
    summary: 'Get a server',
    tags: ['servers'],
    params: ['id'],
    ok: { status: 200, description: 'the server', schema: serverSchema },
    errors: [404],
  }),
  'PATCH /servers/:id': operation({
    summary: 'Change a server',
    tags: ['servers'],
    params: ['id'],
    body: updateServerBody,
    ok: { status: 200, description: 'updated', schema: serverSchema },
    errors: [404],
  }),
  'DELETE /servers/:id': operation({ summary: 'Delete a server', tags: ['servers'], params: ['id'], ok: noContent, errors: [404] }),
  'POST /servers/:id/test': operation({
    summary: 'Connect to a server once',
    tags: ['servers'],
    params: ['id'],
    ok: { status: 200, description: 'whether it answered', schema: serverTestSchema },
    // 400: a deployment without the SSH runner (-c cronium:ssh=false) tests no server.
    errors: [400, 404],
  }),

  'POST /keys': operation({
    summary: 'Issue an API key',
    tags: ['keys'],
    body: createKeyBody,
    ok: { status: 201, description: 'issued; the key is shown once', schema: issuedKeySchema },
  }),
  'GET /keys': operation({
    summary: 'List API keys',
    tags: ['keys'],
    query: listKeysQuery,
    ok: { status: 200, description: 'keys, never their secrets', schema: z.object({ items: z.array(keySummarySchema) }) },
  }),
  'DELETE /keys/:id': operation({ summary: 'Revoke an API key', tags: ['keys'], params: ['id'], ok: noContent, errors: [404] }),
};
