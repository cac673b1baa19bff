import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Broadcaster } from '../../core';
import { ControlPlaneError, ErrorCodes } from '../../core';

/** Pushing to a connection failed for a reason other than the connection being gone. */
export class BroadcastError extends ControlPlaneError {
  constructor(
    readonly connectionId: string,
    cause: unknown,
  ) {
    super(ErrorCodes.internal, `could not push to connection ${connectionId}`, { cause });
  }
}

/**
 * Pushes JSON messages through the API Gateway management API (`POST /@connections/{id}`),
 * the real one on AWS and the local gateway's on one machine.
 */
export const createApiGatewayBroadcaster = (o: { client: ApiGatewayManagementApiClient }): Broadcaster => ({
  async send(connectionId, message) {
    try {
      await o.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(message)) }),
      );
      return true;
    } catch (err) {
      if (err instanceof GoneException || (err as { name?: string }).name === 'GoneException') return false;
      throw new BroadcastError(connectionId, err);
    }
  },
});
