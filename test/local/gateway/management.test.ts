import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocketEvent } from '../../../lambdas/local/gateway';
import { closed, eventually, inbox, openSocket, send, useGateway } from './harness';

const ACCESS_KEY_ID = 'LOCALTESTKEY';

describe('local gateway: @connections management API with the real SDK client', () => {
  const start = useGateway();
  const clients: ApiGatewayManagementApiClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

  /** A real client; `paths` records the request paths it sends. */
  const clientFor = (endpoint: string, accessKeyId = ACCESS_KEY_ID) => {
    const client = new ApiGatewayManagementApiClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId, secretAccessKey: 'not-checked' },
      maxAttempts: 1,
    });
    const paths: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        paths.push((args.request as { path: string }).path);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    clients.push(client);
    return { client, paths };
  };

  /** A gateway with one open, connected client socket. */
  const connected = async () => {
    const events: WebSocketEvent[] = [];
    const gw = await start({
      managementAccessKeyId: ACCESS_KEY_ID,
      websocket: async (e) => {
        events.push(e);
        return { statusCode: 200 };
      },
    });
    const ws = await openSocket(gw.wsUrl, { headers: { 'User-Agent': 'mgmt-test' } });
    const connectionId = events[0]!.requestContext.connectionId;
    return { ...gw, ws, events, connectionId };
  };

  it('posts Data to the connection as one text frame, at /@connections/{id}', async () => {
    // Arrange
    const gw = await connected();
    const frames = inbox(gw.ws);
    const { client, paths } = clientFor(gw.url);
    const message = JSON.stringify({ type: 'logs', jobId: 'j1', lines: [{ seq: 1, line: 'hello' }] });

    // Act
    await client.send(new PostToConnectionCommand({ ConnectionId: gw.connectionId, Data: Buffer.from(message) }));

    // Assert
    expect(await eventually(() => frames[0])).toBe(message);
    expect(frames).toHaveLength(1);
    expect(paths).toEqual([`/@connections/${encodeURIComponent(gw.connectionId)}`]);
    gw.ws.close();
  });

  it('also serves the API under the stage prefix, for an endpoint that names the stage', async () => {
    // Arrange
    const gw = await connected();
    const frames = inbox(gw.ws);
    const { client, paths } = clientFor(`${gw.url}/local`);

    // Act
    await client.send(new PostToConnectionCommand({ ConnectionId: gw.connectionId, Data: 'staged' }));

    // Assert
    expect(await eventually(() => frames[0])).toBe('staged');
    expect(paths[0]).toBe(`/local/@connections/${encodeURIComponent(gw.connectionId)}`);
    gw.ws.close();
  });

  it('gets the connection times and identity', async () => {
    // Arrange
    const gw = await connected();
    const { client } = clientFor(gw.url);
    const before = Date.now();
    gw.ws.send('activity');
    await eventually(() => gw.events.find((e) => e.requestContext.eventType === 'MESSAGE'));

    // Act
    const info = await client.send(new GetConnectionCommand({ ConnectionId: gw.connectionId }));

    // Assert
    expect(info.ConnectedAt?.getTime()).toBe(gw.events[0]!.requestContext.connectedAt);
    expect(info.LastActiveAt?.getTime()).toBeGreaterThanOrEqual(before);
    expect(info.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'mgmt-test' });
    gw.ws.close();
  });

  it('deletes the connection: the client sees the close, $disconnect follows and the id is gone', async () => {
    // Arrange
    const gw = await connected();
    const { client } = clientFor(gw.url);
    const closing = closed(gw.ws);

    // Act
    await client.send(new DeleteConnectionCommand({ ConnectionId: gw.connectionId }));

    // Assert
    expect((await closing).code).toBe(1000);
    await eventually(() => gw.events.find((e) => e.requestContext.eventType === 'DISCONNECT'));
    await expect(client.send(new GetConnectionCommand({ ConnectionId: gw.connectionId }))).rejects.toBeInstanceOf(GoneException);
  });

  it('refuses pushes with 429 LimitExceededException once a client stops reading, still passes small notices, and delivers all it accepted', async () => {
    // Arrange: the client stops reading its socket.
    const gw = await connected();
    const frames = inbox(gw.ws);
    gw.ws.pause();
    const { client } = clientFor(gw.url);
    const big = Buffer.alloc(100 * 1024, 'x');

    // Act: push until refused (kernel buffers absorb a few MB first; bounded at 64 MB)
    let accepted = 0;
    let refusal: unknown;
    while (accepted < 640 && !refusal) {
      await client.send(new PostToConnectionCommand({ ConnectionId: gw.connectionId, Data: big })).then(
        () => accepted++,
        (err: unknown) => (refusal = err),
      );
    }
    await client.send(new PostToConnectionCommand({ ConnectionId: gw.connectionId, Data: Buffer.from('{"type":"lagging"}') }));

    // Assert
    expect(refusal).toBeInstanceOf(LimitExceededException);
    expect((refusal as LimitExceededException).$metadata.httpStatusCode).toBe(429);
    gw.ws.resume();
    await eventually(() => (frames.length === accepted + 1 ? true : undefined), 10_000);
    expect(frames.at(-1)).toBe('{"type":"lagging"}');
    await client.send(new PostToConnectionCommand({ ConnectionId: gw.connectionId, Data: big }));
    gw.ws.close();
  });

  it('throws GoneException for an unknown connection id', async () => {
    // Arrange
    const gw = await connected();
    const { client } = clientFor(gw.url);
    const unknown = 'Zm9yZ290dGVuX2lk=';

    // Act
    const outcomes = await Promise.allSettled([
      client.send(new PostToConnectionCommand({ ConnectionId: unknown, Data: 'x' })),
      client.send(new GetConnectionCommand({ ConnectionId: unknown })),
      client.send(new DeleteConnectionCommand({ ConnectionId: unknown })),
    ]);

    // Assert
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as GoneException;
      expect(reason).toBeInstanceOf(GoneException);
      expect(reason.$metadata.httpStatusCode).toBe(410);
    }
    gw.ws.close();
  });

  it('refuses with 403 a client signing with another access key id, leaving the connection alone', async () => {
    // Arrange
    const gw = await connected();
    const frames = inbox(gw.ws);
    const { client } = clientFor(gw.url, 'SOMEONEELSE');

    // Act
    const error = (await client
      .send(new PostToConnectionCommand({ ConnectionId: gw.connectionId, Data: 'intrusion' }))
      .catch((e: unknown) => e)) as { $metadata?: { httpStatusCode?: number } };

    // Assert
    expect(error.$metadata?.httpStatusCode).toBe(403);
    await new Promise((r) => setTimeout(r, 50));
    expect(frames).toHaveLength(0);
    gw.ws.close();
  });

  it('refuses with 403 an unsigned management request when an access key id is configured', async () => {
    // Arrange
    const gw = await connected();

    // Act
    const reply = await send(gw.url, { method: 'POST', path: `/@connections/${gw.connectionId}`, body: 'unsigned' });

    // Assert
    expect(reply.status).toBe(403);
    gw.ws.close();
  });
});
