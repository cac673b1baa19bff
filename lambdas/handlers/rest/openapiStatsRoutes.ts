import { z } from 'zod';
import type { OpenApiRoutes } from './openapiOperation';
import { operation } from './openapiOperation';
import { logDownloadQuery, statsQuery } from './statsSchemas';

const percentile = z.number().nullable();

const summary = z.object({
  jobs: z.number().int(),
  byStatus: z.object({ completed: z.number().int(), failed: z.number().int(), timeout: z.number().int(), cancelled: z.number().int() }),
  byErrorCode: z.record(z.string(), z.number().int()),
  successRate: z.number().nullable().meta({ description: 'completed / (jobs − cancelled); null when nothing counts' }),
  durationMs: z.object({ count: z.number().int(), p50: percentile, p95: percentile, p99: percentile }),
  queueWaitMs: z.object({ count: z.number().int(), p50: percentile, p95: percentile }),
});

const statsReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    eventId: z.string().optional(),
    total: summary,
    byRuntime: z.record(z.string(), summary),
    byEvent: z.array(summary.extend({ eventId: z.string(), eventName: z.string().optional(), byRuntime: z.record(z.string(), summary) })),
    percentileRelativeError: z.number(),
  })
  .meta({ id: 'StatsReport', description: 'Jobs that ended in [from, to), the asked range widened to whole hours (docs/statistics.md).' });

/** `GET /stats` (statsRoutes.ts) and `GET /jobs/{id}/logs/download` (logDownloadRoutes.ts). */
export const statsOpenApiRoutes: OpenApiRoutes = {
  'GET /stats': operation({
    summary: "The tenant's job statistics: counts, success rate, duration and wait percentiles, per runtime and event",
    tags: ['stats'],
    query: statsQuery,
    ok: { status: 200, description: 'the figures', schema: statsReportSchema },
  }),
  'GET /jobs/:id/logs/download': operation({
    summary: "A job's whole stored log as a file (text or ndjson); on AWS in parts named by X-Cronium-Next-After",
    tags: ['jobs'],
    params: ['id'],
    query: logDownloadQuery,
    ok: { status: 200, description: 'the log, with Content-Disposition', schema: z.string(), contentType: 'text/plain' },
    errors: [404],
  }),
};
