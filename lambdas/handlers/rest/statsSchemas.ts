import { z } from 'zod';
import { ID_PATTERN } from '../http/pathParams';

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-01-31T09:00:00Z' });

/** `GET /stats`: the range (default the last 24 h, at most 31 days) and one event. */
export const statsQuery = z.object({
  since: isoTime.optional(),
  until: isoTime.optional(),
  eventId: z.string().regex(ID_PATTERN, 'must be 1 to 128 letters, digits, _ or -').optional(),
});

export const LogDownloadFormats = ['text', 'ndjson'] as const;
export type LogDownloadFormat = (typeof LogDownloadFormats)[number];

/** `GET /jobs/{id}/logs/download`. */
export const logDownloadQuery = z.object({
  format: z.enum(LogDownloadFormats, { error: 'must be text or ndjson' }).default('text'),
  /** Lines after this seq: where a previous, cut download said to go on (`X-Cronium-Next-After`). */
  after: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').default(0),
});
