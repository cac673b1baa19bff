import { z } from 'zod';
import { EdgeConditions, JobStatuses, RunStatuses, StepStatuses } from '../../core';
import type { OpenApiRoutes } from './openapiOperation';
import { operation, pageOf } from './openapiOperation';
import { notificationSchema } from './openapiViews';
import { listWorkflowsQuery, startRunBody, workflowBody } from './workflowSchemas';

const error = z.object({ code: z.string(), message: z.string() });

const node = z.looseObject({ id: z.string(), eventId: z.string() });
const edge = z.object({ from: z.string(), to: z.string(), when: z.enum(EdgeConditions) });

const workflowSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    version: z.number().int(),
    nodes: z.array(node),
    edges: z.array(edge),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Workflow', description: 'The workflow as posted, with its id, version and times.' });

const stepSchema = z.object({
  nodeId: z.string(),
  status: z.enum(StepStatuses),
  attempt: z.number().int(),
  jobId: z.string().optional(),
  condition: z.boolean().optional(),
  error: error.optional(),
  skipReason: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  jobStatus: z.enum(JobStatuses).optional(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  exitCode: z.number().int().optional(),
});

const runSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    workflowName: z.string(),
    status: z.enum(RunStatuses),
    reason: z.string().optional(),
    input: z.unknown().optional(),
    attempt: z.number().int(),
    nodes: z.array(node),
    edges: z.array(edge),
    steps: z.array(stepSchema).meta({ description: 'in node order; `jobStatus`, `input`, `output`, `exitCode` from the step’s job' }),
    scheduleId: z.string().optional(),
    scheduledAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
    notify: z.array(z.unknown()).optional().meta({ description: "the workflow's notify rules, then its schedule's" }),
    notifications: z
      .array(notificationSchema)
      .optional()
      .meta({ description: 'GET /workflow-runs/{id} only: the notifications of its rules, sent, pending or failed' }),
  })
  .meta({ id: 'WorkflowRun' });

/** `/workflows`, `/workflows/{id}/runs` and `/workflow-runs/{id}` (workflowRoutes.ts). */
export const workflowOpenApiRoutes: OpenApiRoutes = {
  'POST /workflows': operation({
    summary: 'Create a workflow (a DAG of events)',
    tags: ['workflows'],
    body: workflowBody,
    ok: { status: 201, description: 'created', schema: workflowSchema },
  }),
  'GET /workflows': operation({
    summary: 'List workflows',
    tags: ['workflows'],
    query: listWorkflowsQuery,
    ok: { status: 200, description: 'a page of workflows', schema: pageOf(workflowSchema) },
  }),
  'GET /workflows/:id': operation({
    summary: 'Get a workflow',
    tags: ['workflows'],
    params: ['id'],
    ok: { status: 200, description: 'the workflow', schema: workflowSchema },
    errors: [404],
  }),
  'PUT /workflows/:id': operation({
    summary: 'Replace a workflow (runs in flight keep their copy)',
    tags: ['workflows'],
    params: ['id'],
    body: workflowBody,
    ok: { status: 200, description: 'updated', schema: workflowSchema },
    errors: [404],
  }),
  'DELETE /workflows/:id': operation({
    summary: 'Delete a workflow',
    tags: ['workflows'],
    params: ['id'],
    ok: { status: 204, description: 'done' },
    errors: [404],
  }),
  'POST /workflows/:id/runs': operation({
    summary: 'Start a run of a workflow',
    tags: ['workflows'],
    params: ['id'],
    body: startRunBody,
    bodyRequired: false,
    ok: { status: 202, description: 'started', schema: runSchema },
    errors: [404],
  }),
  'GET /workflows/:id/runs': operation({
    summary: "List a workflow's runs",
    tags: ['workflows'],
    params: ['id'],
    query: listWorkflowsQuery,
    ok: { status: 200, description: 'a page of runs', schema: pageOf(runSchema) },
    errors: [404],
  }),
  'GET /workflow-runs/:id': operation({
    summary: 'Get a run with each step and its job',
    tags: ['workflows'],
    params: ['id'],
    ok: { status: 200, description: 'the run', schema: runSchema },
    errors: [404],
  }),
  'POST /workflow-runs/:id/cancel': operation({
    summary: 'Cancel a run: no step starts any more, running steps’ jobs are cancelled',
    tags: ['workflows'],
    params: ['id'],
    ok: { status: 202, description: 'cancelled (an ended run is returned unchanged)', schema: runSchema },
    errors: [404],
  }),
  'POST /workflow-runs/:id/retry': operation({
    summary: 'Run a failed or cancelled run again from its failed steps',
    tags: ['workflows'],
    params: ['id'],
    ok: { status: 202, description: 'running again', schema: runSchema },
    errors: [404, 409],
  }),
};
