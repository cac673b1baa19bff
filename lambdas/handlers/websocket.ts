import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { z } from 'zod';
import type { Broadcaster, ControlPlane, Logger } from '../core';
import { ControlPlaneError, ErrorCodes, silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import { callerOf } from './http/caller';
import { parseWith } from './http/parse';
import { idSchema } from './http/pathParams';

/** The WebSocket event with the authorizer context API Gateway adds on `$connect`. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & { authorizer?: Record<string, unknown> | null };
};

const subscribeMessage = z.object({
  action: z.literal('subscribe', { error: 'must be "subscribe"' }),
  jobId: idSchema,
  afterSeq: z.number({ error: 'must be a number' }).int('must be a whole number').min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

const parseMessage = (body: string | undefined) => {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    value = undefined;
  }
  return parseWith(subscribeMessage, value ?? 'malformed JSON');
};

/**
 * `$connect` registers the connection under the authorizer's tenant, `$disconnect` forgets it,
 * `$default` takes `{"action":"subscribe","jobId","afterSeq"}`. Errors go back to the sender as
 * `{type:"error", code, message}` through the management API, as replies do on AWS.
 */
export const createWebSocketHandler =
  (cp: ControlPlane, reply: Broadcaster, logger: Logger = silentLogger) =>
  async (event: WebSocketEvent): Promise<APIGatewayProxyResult> => {
    const { routeKey, connectionId } = event.requestContext;
    try {
      if (routeKey === '$connect') {
        await cp.connections.connect(callerOf(event as never), connectionId);
      } else if (routeKey === '$disconnect') {
        await cp.connections.disconnect(connectionId);
      } else {
        const { jobId, afterSeq } = parseMessage(event.body);
        await cp.connections.subscribe(connectionId, jobId, afterSeq);
      }
      return { statusCode: 200, body: '' };
    } catch (err) {
      const known = err instanceof ControlPlaneError && err.code !== ErrorCodes.internal;
      if (!known) logger.error({ err, routeKey }, 'websocket route failed');
      if (routeKey === '$connect') return { statusCode: known ? 401 : 500, body: '' };
      const message = known ? err.message : 'internal error';
      const code = known ? err.code : ErrorCodes.internal;
      await reply.send(connectionId, { type: 'error', code, message }).catch(() => false);
      return { statusCode: 200, body: '' };
    }
  };

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<WebSocketEvent, APIGatewayProxyResult>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, broadcaster, logger } = awsComposition();
  return createWebSocketHandler(cp, broadcaster, logger);
});
