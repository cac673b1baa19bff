import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ControlPlane, Logger } from '../../core';
import { silentLogger } from '../../core';
import { checkPathParams } from '../http/pathParams';
import type { createRouteTable } from '../http/createRouteTable';
import { errorResponse } from '../http/errorsToHttp';
import { formatLine, openLogDownload } from './logDownload';

type RouteTable = ReturnType<typeof createRouteTable>;

/**
 * Body bytes one Lambda proxy answer may carry. A synchronous Lambda response is at most 6 MB, and
 * that counts the result as JSON (the body escaped, headers and all), so the escaped body is kept
 * under 5 MiB. A log whose download is longer is answered in parts (`X-Cronium-Next-After`).
 */
export const LAMBDA_DOWNLOAD_BUDGET = 5 * 1024 * 1024;

/** Bytes `text` takes once JSON-escaped inside the proxy result. */
const escapedBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text)) - 2;

/** The header that says where to go on when a download stopped before the end of the log. */
export const NEXT_AFTER_HEADER = 'x-cronium-next-after';

/**
 * `GET /jobs/{id}/logs/download?format=text|ndjson&after=SEQ` as one payload (the REST handler, so
 * API Gateway and Lambda): the stored log from `after`, up to LAMBDA_DOWNLOAD_BUDGET; when more
 * remains, the answer names the last seq it holds in `X-Cronium-Next-After` and the client asks
 * again from there. The local gateway streams the same route instead (createLogDownloadStream).
 */
export const withLogDownloadRoutes = (cp: ControlPlane, table: RouteTable, budget = LAMBDA_DOWNLOAD_BUDGET): RouteTable =>
  table.on('GET', '/jobs/:id/logs/download', async (e, p) => {
    const download = await openLogDownload(cp, e, p['id']!);
    const parts: string[] = [];
    let used = 0;
    let lastSeq: number | undefined;
    let cut = false;
    pages: for await (const page of download.pages()) {
      for (const line of page) {
        const text = formatLine[download.format](line);
        const size = escapedBytes(text);
        if (used + size > budget && parts.length > 0) {
          cut = true;
          break pages;
        }
        parts.push(text);
        used += size;
        lastSeq = line.seq;
      }
    }
    return {
      statusCode: 200,
      headers: { ...download.headers, ...(cut && lastSeq !== undefined ? { [NEXT_AFTER_HEADER]: String(lastSeq) } : {}) },
      body: parts.join(''),
    };
  });

/** A response whose body is produced as it is written. */
export interface StreamedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: AsyncIterable<string> | Iterable<string>;
}

const DOWNLOAD_PATH = /^\/jobs\/([^/]+)\/logs\/download$/;
/** Formatted lines are written in chunks of about this many bytes. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The same download as a stream, for a host that can write a response as it goes (the local
 * gateway): every stored line, page by page, with no payload limit and never the whole log in
 * memory. Errors before the first byte are the REST handler's error responses.
 * @returns undefined for any other request (the REST handler serves it).
 */
export const createLogDownloadStream =
  (cp: ControlPlane, logger?: Logger) =>
  async (event: APIGatewayProxyEvent): Promise<StreamedResponse | undefined> => {
    const id = event.httpMethod === 'GET' ? DOWNLOAD_PATH.exec(event.path)?.[1] : undefined;
    if (id === undefined) return undefined;
    try {
      checkPathParams({ id });
      const download = await openLogDownload(cp, event, id);
      async function* body() {
        let chunk = '';
        for await (const page of download.pages()) {
          for (const line of page) {
            chunk += formatLine[download.format](line);
            if (chunk.length >= CHUNK_BYTES) {
              yield chunk;
              chunk = '';
            }
          }
        }
        if (chunk !== '') yield chunk;
      }
      return { statusCode: 200, headers: download.headers, body: body() };
    } catch (err) {
      const r = errorResponse(err, logger ?? silentLogger);
      return { statusCode: r.statusCode, headers: (r.headers ?? {}) as Record<string, string>, body: [r.body] };
    }
  };
