import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ControlPlane, RunDetails, Workflow, WorkflowRun } from '../../core';
import { callerOf } from '../http/caller';
import type { createRouteTable } from '../http/createRouteTable';
import { jsonResponse } from '../http/jsonResponse';
import { parseJsonBody, parseWith } from '../http/parse';
import { listWorkflowsQuery, startRunBody, workflowBody } from './workflowSchemas';

type RouteTable = ReturnType<typeof createRouteTable>;

const body = (e: APIGatewayProxyEvent) => parseJsonBody(e.body, e.isBase64Encoded);
const query = (e: APIGatewayProxyEvent) => e.queryStringParameters ?? {};

/** A workflow as the API shows it: no tenant. */
export const workflowView = ({ tenant: _t, ...rest }: Workflow) => rest;

/** A run as the API shows it: no tenant or version; steps in node order, each with its job's status, input and output when it has one. */
export const workflowRunView = ({ tenant: _t, version: _v, steps, ...rest }: WorkflowRun, jobs: RunDetails['jobs'] = {}) => ({
  ...rest,
  steps: rest.nodes.map((n) => {
    const step = steps[n.id]!;
    const job = jobs[n.id];
    return {
      ...step,
      ...(job
        ? {
            jobStatus: job.status,
            ...(job.input !== undefined ? { input: job.input } : {}),
            ...(job.output !== undefined ? { output: job.output } : {}),
            ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
          }
        : {}),
    };
  }),
});

const page = <T, V>(p: { items: T[]; nextCursor?: string }, view: (t: T) => V) => ({
  items: p.items.map(view),
  ...(p.nextCursor ? { nextCursor: p.nextCursor } : {}),
});

/** `/workflows`, `/workflows/{id}/runs` and `/workflow-runs/{id}`: CRUD, start, read, cancel, retry. */
export const withWorkflowRoutes = (cp: ControlPlane, table: RouteTable): RouteTable =>
  table
    .on('POST', '/workflows', async (e) =>
      jsonResponse(201, workflowView(await cp.workflows.create(callerOf(e), parseWith(workflowBody, body(e))))),
    )
    .on('GET', '/workflows', async (e) =>
      jsonResponse(200, page(await cp.workflows.list(callerOf(e), parseWith(listWorkflowsQuery, query(e))), workflowView)),
    )
    .on('GET', '/workflows/:id', async (e, p) => jsonResponse(200, workflowView(await cp.workflows.get(callerOf(e), p['id']!))))
    .on('PUT', '/workflows/:id', async (e, p) =>
      jsonResponse(200, workflowView(await cp.workflows.update(callerOf(e), p['id']!, parseWith(workflowBody, body(e))))),
    )
    .on('DELETE', '/workflows/:id', async (e, p) => {
      await cp.workflows.remove(callerOf(e), p['id']!);
      return jsonResponse(204);
    })
    .on('POST', '/workflows/:id/runs', async (e, p) => {
      const { input } = e.body ? parseWith(startRunBody, body(e)) : { input: undefined };
      return jsonResponse(202, workflowRunView(await cp.workflows.start(callerOf(e), p['id']!, { input })));
    })
    .on('GET', '/workflows/:id/runs', async (e, p) =>
      jsonResponse(
        200,
        page(await cp.workflows.listRuns(callerOf(e), p['id']!, parseWith(listWorkflowsQuery, query(e))), (r) => workflowRunView(r)),
      ),
    )
    .on('GET', '/workflow-runs/:id', async (e, p) => {
      const { run, jobs } = await cp.workflows.getRun(callerOf(e), p['id']!);
      const notifications = await cp.tools.runNotifications(callerOf(e), run.id);
      return jsonResponse(200, { ...workflowRunView(run, jobs), ...(notifications.length ? { notifications } : {}) });
    })
    .on('POST', '/workflow-runs/:id/cancel', async (e, p) =>
      jsonResponse(202, workflowRunView(await cp.workflows.cancel(callerOf(e), p['id']!))),
    )
    .on('POST', '/workflow-runs/:id/retry', async (e, p) =>
      jsonResponse(202, workflowRunView(await cp.workflows.retry(callerOf(e), p['id']!))),
    );
