import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ControlPlane, LogLine } from '../../core';
import { callerOf } from '../http/caller';
import { parseWith } from '../http/parse';
import { logDownloadQuery, type LogDownloadFormat } from './statsSchemas';

/** Lines read from the log store per page while a download goes on: the most `GET /jobs/{id}/logs` gives (whole batches are read anyway). */
const PAGE_LINES = 5000;

const attemptOf = (l: LogLine): number | undefined => ('attempt' in l && typeof l.attempt === 'number' ? l.attempt : undefined);

/** One stored line as the download writes it: text with its time, stream, attempt and server, or the line as JSON. */
export const formatLine: Record<LogDownloadFormat, (l: LogLine) => string> = {
  text: (l) => {
    const attempt = attemptOf(l);
    return `${l.ts} ${l.stream}${attempt !== undefined ? ` [attempt ${attempt}]` : ''}${l.server ? ` [${l.server}]` : ''} ${l.line}\n`;
  },
  ndjson: (l) => `${JSON.stringify(l)}\n`,
};

const contentTypes: Record<LogDownloadFormat, string> = {
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const extensions: Record<LogDownloadFormat, string> = { text: 'log', ndjson: 'ndjson' };

/** A download, checked and ready to read: its headers and its lines, page by page. */
export interface LogDownload {
  format: LogDownloadFormat;
  headers: Record<string, string>;
  /** The stored lines after `after`, oldest first, a page at a time (never the whole log at once). */
  pages(): AsyncGenerator<LogLine[]>;
}

/**
 * Checks a download request (query, tenant, job) before anything is sent, so every refusal is an
 * ordinary error response: a bad `format` or `after` is a 400 naming it, another tenant's job a 404.
 * Both homes use it: the REST handler (one payload) and the local gateway (a stream).
 * @throws ValidationError, NotFoundError
 */
export const openLogDownload = async (cp: ControlPlane, event: APIGatewayProxyEvent, jobId: string): Promise<LogDownload> => {
  const { format, after } = parseWith(logDownloadQuery, event.queryStringParameters ?? {});
  const caller = callerOf(event);
  const job = await cp.jobs.get(caller, jobId);
  return {
    format,
    headers: {
      'content-type': contentTypes[format],
      // The id matches ID_PATTERN (checked as a path parameter), so it needs no quoting rules.
      'content-disposition': `attachment; filename="cronium-job-${job.id}.${extensions[format]}"`,
      'x-cronium-job-status': job.status,
    },
    async *pages() {
      for (let from = after; ;) {
        const page = await cp.jobs.logs(caller, job.id, from, PAGE_LINES);
        if (page.items.length === 0) return;
        yield page.items;
        from = page.nextSeq;
      }
    },
  };
};
