import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RequestTimeoutError } from './errors';

/**
 * Buffers a request body of at most `maxBytes`, which must arrive in full within `timeoutMs`.
 * On overflow the rest is drained and dropped, so the client can finish sending and read the 413.
 * A body shorter than its `Content-Length` would otherwise keep the request open until the client
 * gives up; the deadline turns it into a 408.
 * @throws PayloadTooLargeError when the declared or actual length exceeds `maxBytes`.
 * @throws RequestTimeoutError when the body is still incomplete after `timeoutMs`.
 */
export const readBody = (req: IncomingMessage, maxBytes: number, timeoutMs = Infinity): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: Error): void => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.resume();
      reject(err);
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return fail(new PayloadTooLargeError(maxBytes));
    if (Number.isFinite(timeoutMs)) timer = setTimeout(() => fail(new RequestTimeoutError(timeoutMs)), timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(new PayloadTooLargeError(maxBytes));
      chunks.push(chunk);
    });
    req.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
