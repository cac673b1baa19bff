import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ControlPlane } from '../../core';
import { callerOf } from '../http/caller';
import { jsonResponse } from '../http/jsonResponse';
import { parseJsonBody, parseWith } from '../http/parse';
import { createRouteTable } from '../http/createRouteTable';
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
import { withHealthRoutes } from './healthRoutes';
import { withScheduleRoutes } from './scheduleRoutes';
import { withWorkflowRoutes } from './workflowRoutes';
import { withStatsRoutes } from './statsRoutes';
import { withLogDownloadRoutes } from './logDownloadRoutes';
import { eventView, jobView } from './views';

const body = (e: APIGatewayProxyEvent) => parseJsonBody(e.body, e.isBase64Encoded);
const query = (e: APIGatewayProxyEvent) => e.queryStringParameters ?? {};

/** Every REST route: parse at the edge, call one use case, shape the answer. */
export const createRestRouter = (cp: ControlPlane) =>
  withHealthRoutes(cp, withLogDownloadRoutes(cp, withStatsRoutes(cp, withScheduleRoutes(cp, withWorkflowRoutes(cp, createRouteTable())))))
    .on('POST', '/jobs', async (e) => {
      const { input, ...spec } = parseWith(submitJobBody, body(e));
      const job = await cp.jobs.submit(callerOf(e), spec, { input });
      return jsonResponse(202, jobView(job));
    })
    .on('GET', '/jobs', async (e) => {
      const page = await cp.jobs.list(callerOf(e), parseWith(listJobsQuery, query(e)));
      return jsonResponse(200, { items: page.items.map(jobView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    })
    .on('GET', '/jobs/:id', async (e, p) => {
      const found = await cp.jobs.get(callerOf(e), p['id']!);
      const notifications = await cp.tools.notificationsOf(found);
      const job = jobView(found);
      return jsonResponse(200, notifications.length ? { ...job, notifications } : job);
    })
    .on('GET', '/settings/webhook-secret', async (e) => jsonResponse(200, await cp.tools.webhookSecret(callerOf(e))))
    .on('GET', '/jobs/:id/logs', async (e, p) => {
      const { after, limit } = parseWith(logsQuery, query(e));
      return jsonResponse(200, await cp.jobs.logs(callerOf(e), p['id']!, after, limit));
    })
    .on('POST', '/jobs/:id/cancel', async (e, p) => jsonResponse(202, jobView(await cp.jobs.cancel(callerOf(e), p['id']!))))

    .on('POST', '/events', async (e) => jsonResponse(201, eventView(await cp.events.create(callerOf(e), parseWith(eventBody, body(e))))))
    .on('GET', '/events', async (e) => {
      const page = await cp.events.list(callerOf(e), parseWith(listEventsQuery, query(e)));
      return jsonResponse(200, { items: page.items.map(eventView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    })
    .on('GET', '/events/:id', async (e, p) => jsonResponse(200, eventView(await cp.events.get(callerOf(e), p['id']!))))
    .on('PUT', '/events/:id', async (e, p) =>
      jsonResponse(200, eventView(await cp.events.update(callerOf(e), p['id']!, parseWith(eventBody, body(e))))),
    )
    .on('DELETE', '/events/:id', async (e, p) => {
      await cp.events.remove(callerOf(e), p['id']!);
      return jsonResponse(204);
    })
    .on('POST', '/events/:id/runs', async (e, p) => {
      const { input } = e.body ? parseWith(runEventBody, body(e)) : { input: undefined };
      return jsonResponse(202, jobView(await cp.events.run(callerOf(e), p['id']!, { input })));
    })

    .on('GET', '/variables', async (e) => jsonResponse(200, { items: await cp.variables.list(callerOf(e)) }))
    .on('PUT', '/variables/:key', async (e, p) =>
      jsonResponse(200, await cp.variables.put(callerOf(e), p['key']!, parseWith(putVariableBody, body(e)))),
    )
    .on('DELETE', '/variables/:key', async (e, p) => {
      await cp.variables.remove(callerOf(e), p['key']!);
      return jsonResponse(204);
    })

    .on('GET', '/servers', async (e) => jsonResponse(200, { items: await cp.servers.list(callerOf(e)) }))
    .on('POST', '/servers', async (e) => jsonResponse(201, await cp.servers.create(callerOf(e), parseWith(createServerBody, body(e)))))
    .on('GET', '/servers/:id', async (e, p) => jsonResponse(200, await cp.servers.get(callerOf(e), p['id']!)))
    .on('PATCH', '/servers/:id', async (e, p) =>
      jsonResponse(200, await cp.servers.update(callerOf(e), p['id']!, parseWith(updateServerBody, body(e)))),
    )
    .on('DELETE', '/servers/:id', async (e, p) => {
      await cp.servers.remove(callerOf(e), p['id']!);
      return jsonResponse(204);
    })
    .on('POST', '/servers/:id/test', async (e, p) => jsonResponse(200, await cp.servers.test(callerOf(e), p['id']!)))

    .on('POST', '/keys', async (e) => jsonResponse(201, await cp.auth.createKey(callerOf(e), parseWith(createKeyBody, body(e)))))
    .on('GET', '/keys', async (e) => jsonResponse(200, { items: await cp.auth.listKeys(callerOf(e), parseWith(listKeysQuery, query(e))) }))
    .on('DELETE', '/keys/:id', async (e, p) => {
      await cp.auth.revokeKey(callerOf(e), p['id']!);
      return jsonResponse(204);
    });
