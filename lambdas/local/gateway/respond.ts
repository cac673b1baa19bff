import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../../core/errors';

/** Cronium's error body, which the CDK stack's Gateway Responses also produce. */
export const croniumError = (code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } => ({
  error: { code, message },
});

/**
 * Sends a JSON body. `errorType` becomes `x-amzn-ErrorType`, which the AWS SDKs read to pick the
 * exception class (`GoneException`…).
 */
export const sendJson = (
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  o: { errorType?: string; requestId?: string; headers?: Record<string, string> } = {},
): void => {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {
    ...o.headers,
    'Content-Type': 'application/json',
    'Content-Length': String(payload.length),
  };
  if (o.errorType) headers['x-amzn-ErrorType'] = o.errorType;
  if (o.requestId) headers['x-amzn-RequestId'] = o.requestId;
  res.writeHead(statusCode, headers);
  res.end(payload);
};

/** Answers an upgrade request with a plain HTTP error and closes the socket (no handshake). */
export const rejectUpgrade = (socket: Duplex, statusCode: number, payload: string): void => {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
};
