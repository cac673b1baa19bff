import { createDocument } from 'zod-openapi';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { coreOpenApiRoutes } from './openapiCoreRoutes';
import { healthOpenApiRoutes } from './openapiHealthRoutes';
import type { OpenApiRoutes } from './openapiOperation';
import { scheduleOpenApiRoutes } from './openapiScheduleRoutes';
import { statsOpenApiRoutes } from './openapiStatsRoutes';
import { toolOpenApiRoutes } from './openapiToolRoutes';
import { workflowOpenApiRoutes } from './openapiWorkflowRoutes';

/**
 * Every route group's operations. A new group of routes adds its `openapi<Group>Routes.ts` here;
 * test/handlers/openapi.test.ts fails while a route of the table is missing.
 */
export const OpenApiRouteGroups: readonly OpenApiRoutes[] = [
  healthOpenApiRoutes,
  coreOpenApiRoutes,
  scheduleOpenApiRoutes,
  statsOpenApiRoutes,
  workflowOpenApiRoutes,
  toolOpenApiRoutes,
];

/** `/jobs/:id` as OpenAPI writes it: `/jobs/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const build = (groups: readonly OpenApiRoutes[]) => {
  const paths: ZodOpenApiPathsObject = {};
  for (const group of groups) {
    for (const [key, op] of Object.entries(group)) {
      const [method, path] = key.split(' ') as [string, string];
      const item = (paths[openApiPath(path)] ??= {});
      (item as Record<string, unknown>)[method.toLowerCase()] = op;
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Cronium',
      version: '1',
      description:
        'Jobs, events, schedules, workflows and their logs. Every route but the public ones needs `Authorization: Bearer <API key>`.',
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'a Cronium API key' } } },
    security: [{ apiKey: [] }],
    paths,
  });
};

let cached: ReturnType<typeof build> | undefined;

/** The OpenAPI 3.1 document of the REST API, generated once from the zod schemas that validate requests. */
export const openApiDocument = (groups: readonly OpenApiRoutes[] = OpenApiRouteGroups) =>
  groups === OpenApiRouteGroups ? (cached ??= build(groups)) : build(groups);
