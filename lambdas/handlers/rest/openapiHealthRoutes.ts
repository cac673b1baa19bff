import { z } from 'zod';
import type { OpenApiRoutes } from './openapiOperation';
import { operation } from './openapiOperation';

const status = z.enum(['ok', 'down']);

const readySchema = z
  .object({ status, components: z.record(z.string(), z.object({ status, reason: z.string().optional() })) })
  .meta({ id: 'Ready' });

const healthSchema = z
  .object({
    status,
    version: z.string(),
    uptimeSeconds: z.number().int(),
    components: z.record(
      z.string(),
      z.object({
        status,
        latencyMs: z.number(),
        reason: z.string().optional(),
        details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      }),
    ),
  })
  .meta({ id: 'Health' });

const down = (schema: z.ZodType) => ({ '503': { description: 'a component is down', content: { 'application/json': { schema } } } });

/** `/live`, `/ready`, `/health`, `/openapi.json` (healthRoutes.ts): no API key. */
export const healthOpenApiRoutes: OpenApiRoutes = {
  'GET /live': operation({
    summary: 'The process answers',
    tags: ['operate'],
    auth: false,
    ok: { status: 200, description: 'alive', schema: z.object({ status: z.literal('ok') }) },
  }),
  'GET /ready': (() => {
    const op = operation({
      summary: 'Every dependency answers within its deadline',
      tags: ['operate'],
      auth: false,
      ok: { status: 200, description: 'ready', schema: readySchema },
    });
    return { ...op, responses: { ...op.responses, ...down(readySchema) } };
  })(),
  'GET /health': (() => {
    const op = operation({
      summary: 'Status, version, uptime, and each component with its latency',
      tags: ['operate'],
      auth: false,
      ok: { status: 200, description: 'healthy', schema: healthSchema },
    });
    return { ...op, responses: { ...op.responses, ...down(healthSchema) } };
  })(),
  'GET /openapi.json': operation({
    summary: 'This document',
    tags: ['operate'],
    auth: false,
    ok: { status: 200, description: 'OpenAPI 3.1', schema: z.looseObject({ openapi: z.string() }) },
  }),
};
