import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NodeHttpHandler } from '@smithy/node-http-handler';

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HandlerOptions = Parameters<NodeHttpHandler['handle']>[1];
type HandlerOutput = Awaited<ReturnType<NodeHttpHandler['handle']>>;

/** The request handler the SDK client takes (`requestHandler`): Smithy's HttpHandler. */
export type InProcessRequestHandler = Pick<NodeHttpHandler, 'handle' | 'destroy' | 'updateHttpClientConfig' | 'httpHandlerConfigs'>;

/** The request as a Node request listener reads it: headers (lower case), method, URL and body events. */
const incoming = (request: HttpRequest): IncomingMessage => {
  const req = new EventEmitter() as IncomingMessage;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  let search = '';
  // DynamoDB's JSON protocol sends none; skip building an empty one on every request.
  const entries = request.query ? Object.entries(request.query) : [];
  if (entries.length > 0) {
    const query = new URLSearchParams();
    for (const [name, value] of entries) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null) query.append(name, v);
    }
    if (query.size > 0) search = `?${query.toString()}`;
  }
  return Object.assign(req, { headers, method: request.method, url: `${request.path}${search}` });
};

const bodyBytes = (body: unknown): Buffer | undefined => {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('the in-process request handler takes a string or byte body, not a stream');
};

/**
 * A Smithy HttpHandler that hands each request the SDK client built (serialized, signed, headers
 * and all) straight to `listener`, an HTTP server's request listener in this process, and returns
 * what it wrote as the response: no socket, no HTTP framing or parsing on either side. The
 * listener sees a request with `headers`, `method`, `url` and the body as one `data` event, and a
 * response with `statusCode`, `setHeader` and `end(body)`, which is what dynalite uses; it is not a
 * general stand-in for Node's HTTP objects. An abort signal is checked when the request is handed
 * over (the listener cannot be stopped midway). After `destroy()` every request is refused, so nothing
 * reaches an engine that is closing or closed (`DynamoDBDocumentClient.destroy()` does not call it:
 * call it on the handler).
 * @example
 * const server = dynalite({ path });
 * const client = createDocumentClient({ endpoint: 'http://localhost', region: 'local', credentials,
 *   requestHandler: inProcessRequestHandler(server.listeners('request')[0] as RequestListener) });
 */
export function inProcessRequestHandler(listener: RequestListener): InProcessRequestHandler {
  let destroyed = false;
  const handle = (request: HttpRequest, options: HandlerOptions = {}): Promise<HandlerOutput> =>
    new Promise((resolve, reject) => {
      if (destroyed) {
        reject(new Error('the in-process request handler is destroyed: its engine is closed or closing'));
        return;
      }
      if (options.abortSignal?.aborted) {
        const abort = new Error('Request aborted');
        abort.name = 'AbortError';
        reject(abort);
        return;
      }
      const body = bodyBytes(request.body);
      const req = incoming(request);
      const headers: Record<string, string> = {};
      const res = {
        statusCode: 200,
        setHeader(name: string, value: number | string | readonly string[]) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
          return res;
        },
        end(data?: string | Uint8Array) {
          const bytes = data === undefined ? new Uint8Array() : typeof data === 'string' ? Buffer.from(data) : data;
          resolve({ response: { statusCode: res.statusCode, headers, body: bytes } });
          return res;
        },
      };
      try {
        listener(req, res as unknown as ServerResponse);
        if (body) req.emit('data', body);
        req.emit('end');
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  return {
    handle,
    destroy() {
      destroyed = true;
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}
