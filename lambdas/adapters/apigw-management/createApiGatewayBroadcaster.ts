import {
  type ApiGatewayManagementApiClient,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { Broadcaster } from '../../core';
import { ControlPlaneError, ErrorCodes } from '../../core';
import { createMessageEncoder } from './createMessageEncoder';

/** Pushing to a connection failed for a reason other than the connection being gone or throttled. */
export class BroadcastError extends ControlPlaneError {
  constructor(
    readonly connectionId: string,
    cause: unknown,
  ) {
    super(ErrorCodes.internal, `could not push to connection ${connectionId}`, { cause });
  }
}

const isNamed = (err: unknown, name: string): boolean => (err as { name?: string } | null)?.name === name;

/** A refusal that means "not now": the service's rate limit, or (locally) a client too slow to read. */
const isThrottled = (err: unknown): boolean =>
  err instanceof LimitExceededException ||
  isNamed(err, 'LimitExceededException') ||
  isNamed(err, 'ThrottlingException') ||
  (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode === 429;

/**
 * Pushes JSON messages through the API Gateway management API (`POST /@connections/{id}`),
 * the real one on AWS and the local gateway's on one machine. `GoneException` becomes `gone`,
 * `LimitExceededException` (HTTP 429) becomes `throttled`.
 * @throws BroadcastError for any other failure, with the SDK error as `cause`.
 */
export const createApiGatewayBroadcaster = (o: { client: ApiGatewayManagementApiClient }): Broadcaster => {
  const encode = createMessageEncoder();
  return {
    async send(connectionId, message) {
      try {
        await o.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: encode(message) }));
        return 'sent';
      } catch (err) {
        if (err instanceof GoneException || isNamed(err, 'GoneException')) return 'gone';
        if (isThrottled(err)) return 'throttled';
        throw new BroadcastError(connectionId, err);
      }
    },
  };
};
