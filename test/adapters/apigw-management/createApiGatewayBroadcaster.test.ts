import {
  ApiGatewayManagementApiClient,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { BroadcastError, createApiGatewayBroadcaster } from '../../../lambdas/adapters/apigw-management';

describe('createApiGatewayBroadcaster', () => {
  const mock = mockClient(ApiGatewayManagementApiClient);
  const broadcaster = createApiGatewayBroadcaster({ client: new ApiGatewayManagementApiClient({ region: 'eu-west-1' }) });
  beforeEach(() => mock.reset());

  it('posts the message as JSON to the connection', async () => {
    mock.on(PostToConnectionCommand).resolves({});

    const delivered = await broadcaster.send('abc=', { type: 'logs', lines: [{ seq: 1 }] });

    expect(delivered).toBe('sent');
    const input = mock.commandCalls(PostToConnectionCommand)[0]!.args[0].input;
    expect(input.ConnectionId).toBe('abc=');
    expect(JSON.parse(Buffer.from(input.Data as Uint8Array).toString())).toEqual({ type: 'logs', lines: [{ seq: 1 }] });
  });

  it('reports a gone connection as gone instead of failing', async () => {
    mock.on(PostToConnectionCommand).rejects(new GoneException({ message: 'gone', $metadata: {} }));

    expect(await broadcaster.send('gone=', {})).toBe('gone');
  });

  it('reports a refusal for a full or rate-limited connection as throttled', async () => {
    mock.on(PostToConnectionCommand).rejects(new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));

    expect(await broadcaster.send('slow=', {})).toBe('throttled');
  });

  it('wraps any other failure in a BroadcastError that keeps the cause', async () => {
    const cause = new Error('throttled');
    mock.on(PostToConnectionCommand).rejects(cause);

    const err = await broadcaster.send('abc=', {}).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BroadcastError);
    expect((err as BroadcastError).cause).toBe(cause);
  });
});
