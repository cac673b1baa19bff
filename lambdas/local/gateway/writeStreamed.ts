import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { GatewayLogger, StreamedRestResult } from './types';

/** Resolves when `res` can take more, or has closed (the client went away). */
const writable = async (res: ServerResponse): Promise<void> => {
  const ac = new AbortController();
  await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]).catch(() => {});
  ac.abort();
};

/**
 * Writes a streamed result chunk by chunk (chunked transfer encoding), waiting whenever the client
 * reads slower than the body is produced, so no more than a chunk or two is held in memory. The
 * body stops being read when the client goes away. A failure mid-body destroys the connection:
 * the client sees a response cut short, never a complete-looking one.
 */
export const writeStreamed = async (
  res: ServerResponse,
  r: StreamedRestResult,
  requestId: string,
  logger: GatewayLogger,
): Promise<void> => {
  res.writeHead(r.statusCode, { ...r.headers, 'x-amzn-RequestId': requestId });
  try {
    for await (const chunk of r.body) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await writable(res);
    }
    res.end();
  } catch (err) {
    logger.error({ err, requestId }, 'streamed REST response failed mid-body');
    res.destroy();
  }
};
