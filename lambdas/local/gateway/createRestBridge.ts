import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, UnauthorizedError } from '../../core/errors';
import { runAuthorizer, toRestAuthorizerEvent } from './runAuthorizer';
import { IntegrationTimeoutError, PayloadTooLargeError, RequestTimeoutError } from './errors';
import { newRequestId } from './ids';
import { invokeHandler } from './invokeHandler';
import { readBody } from './readBody';
import { decodePath, sourceIpOf } from './requestParts';
import { croniumError, sendJson } from './respond';
import { buildRestEvent, withBody } from './restEvent';
import { toHttpResponse, writeHttpResponse, type HttpResponse } from './restResponse';
import type { GatewaySettings } from './resolveSettings';
import type { RequestAuthorizer, RestHandler, RestStreamHandler } from './types';
import { writeStreamed } from './writeStreamed';

/** Turns plain HTTP requests into REST proxy invocations. */
export interface RestBridge {
  handle(req: IncomingMessage, res: ServerResponse, target: { rawPath: string; rawQuery: string }): Promise<void>;
}

/** @returns whether `stream` served the request (the response is then written or being written). */
const serveStreamed = async (
  stream: RestStreamHandler,
  req: IncomingMessage,
  res: ServerResponse,
  event: ReturnType<typeof buildRestEvent>,
  s: GatewaySettings,
): Promise<boolean> => {
  const result = await stream(event);
  if (!result) return false;
  req.resume();
  await writeStreamed(res, result, event.requestContext.requestId, s.logger);
  return true;
};

/** Builds the REST side of the gateway: authorizer, body limit, proxy event, result mapping. */
export const createRestBridge = (o: {
  settings: GatewaySettings;
  rest: RestHandler;
  restAuthorizer?: RequestAuthorizer;
  restStream?: RestStreamHandler;
}): RestBridge => {
  const s = o.settings;

  /** @returns whether the request may go on; when not, the response has been sent. */
  const authorize = async (req: IncomingMessage, res: ServerResponse, event: ReturnType<typeof buildRestEvent>): Promise<boolean> => {
    if (!o.restAuthorizer || s.publicPaths.has(event.path)) return true;
    const requestId = event.requestContext.requestId;
    const refuse = (status: number, body: unknown, errorType: string): false => {
      req.resume();
      // Mirrors the CDK stack's UNAUTHORIZED Gateway Response.
      const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
      sendJson(res, status, body, { errorType, requestId, headers });
      return false;
    };
    // Built only when refusing: an Error captures a stack, which on every request was ~1% of a GET's CPU.
    const unauthorized = () => {
      const e = new UnauthorizedError();
      return refuse(401, croniumError(e.code, e.message), 'UnauthorizedException');
    };
    if (!req.headers.authorization) return unauthorized();
    const outcome = await runAuthorizer({
      authorizer: o.restAuthorizer,
      event: toRestAuthorizerEvent(event, s),
      functionName: 'cronium-local-rest-authorizer',
      settings: s,
    });
    switch (outcome.kind) {
      case 'allow':
        event.requestContext.authorizer = outcome.context;
        return true;
      case 'unauthorized':
        return unauthorized();
      case 'forbidden': {
        const forbidden = new ForbiddenError();
        return refuse(403, croniumError(forbidden.code, forbidden.message), 'AccessDeniedException');
      }
      case 'failed':
        return refuse(500, { message: null }, 'AuthorizerConfigurationException');
    }
  };

  return {
    async handle(req, res, target) {
      const event = buildRestEvent(
        {
          method: req.method ?? 'GET',
          path: decodePath(target.rawPath),
          rawQuery: target.rawQuery,
          rawHeaders: req.rawHeaders,
          sourceIp: sourceIpOf(req),
          requestId: newRequestId(),
          requestTimeEpoch: Date.now(),
        },
        s,
      );
      const requestId = event.requestContext.requestId;
      if (!(await authorize(req, res, event))) return;
      if (o.restStream && req.method === 'GET' && (await serveStreamed(o.restStream, req, res, event, s))) return;

      let body: Buffer;
      try {
        body = await readBody(req, s.maxBodyBytes, s.bodyTimeoutMs);
      } catch (err) {
        if (err instanceof PayloadTooLargeError) {
          sendJson(res, 413, croniumError(err.code, err.message), { errorType: 'RequestTooLargeException', requestId });
        } else if (err instanceof RequestTimeoutError) {
          s.logger.warn({ requestId, path: event.path, timeoutMs: err.timeoutMs }, 'REST request body timed out');
          // The rest of the body may never come: the connection cannot carry another request.
          res.once('finish', () => req.socket.destroy());
          sendJson(res, 408, croniumError(err.code, err.message), { requestId, headers: { Connection: 'close' } });
        }
        return; // otherwise the client went away mid-body
      }

      let response: HttpResponse;
      try {
        const full = withBody(event, body, req.headers['content-type'], s.binaryMediaTypes);
        response = toHttpResponse(await invokeHandler({ handler: o.rest, event: full, functionName: 'cronium-local-rest', settings: s }));
      } catch (err) {
        if (err instanceof IntegrationTimeoutError) {
          s.logger.error({ err, requestId, path: event.path }, 'REST handler timed out');
          sendJson(res, 504, { message: 'Endpoint request timed out' }, { requestId });
          return;
        }
        s.logger.error({ err, requestId, path: event.path }, 'REST handler failed');
        sendJson(res, 502, { message: 'Internal server error' }, { errorType: 'InternalServerErrorException', requestId });
        return;
      }
      try {
        writeHttpResponse(res, response, requestId);
      } catch (err) {
        s.logger.error({ err, requestId, path: event.path }, 'REST handler returned unusable headers');
        if (!res.headersSent) {
          sendJson(res, 502, { message: 'Internal server error' }, { errorType: 'InternalServerErrorException', requestId });
        }
      }
    },
  };
};
