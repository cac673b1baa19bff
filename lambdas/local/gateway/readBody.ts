import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from './errors';

/**
 * Buffers a request body of at most `maxBytes`.
 * On overflow the rest is drained and dropped, so the client can finish sending and read the 413.
 * @throws PayloadTooLargeError when the declared or actual length exceeds `maxBytes`.
 */
export const readBody = (req: IncomingMessage, maxBytes: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const tooLarge = (): void => {
      req.removeAllListeners('data');
      req.resume();
      reject(new PayloadTooLargeError(maxBytes));
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return tooLarge();
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
