import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { WebSocketEvent, WebSocketResult } from '../../../lambdas/local/gateway';
import { closed, eventually, inbox, openSocket, policy, recordingLogger, refusalOf, useGateway } from './harness';

describe('local gateway: WebSocket events', () => {
  const start = useGateway();

  /** A gateway with a token authorizer (`good` allowed, `bad` denied, else Unauthorized). */
  const startWs = async (route: (e: WebSocketEvent) => Promise<WebSocketResult | void> = async () => ({ statusCode: 200 })) => {
    const events: WebSocketEvent[] = [];
    const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];
    const started = await start({
      stage: 'dev',
      wsRoutes: ['subscribe'],
      wsAuthorizer: async (event) => {
        authorizerEvents.push(event);
        const token = event.queryStringParameters?.['token'];
        if (token === 'good') return policy('Allow', event.methodArn, { tenant: 't-1', role: 'admin' });
        if (token === 'bad') return policy('Deny', event.methodArn);
        throw new Error('Unauthorized');
      },
      websocket: async (event) => {
        events.push(event);
        return route(event);
      },
    });
    return { ...started, events, authorizerEvents };
  };
  const routesOf = (events: WebSocketEvent[]) => events.map((e) => e.requestContext.routeKey);

  it('delivers $connect with the authorizer context, query string and headers of the upgrade', async () => {
    // Arrange
    const gw = await startWs();

    // Act
    const ws = await openSocket(`${gw.wsUrl}?token=good`, { headers: { 'X-Client': 'cli', 'User-Agent': 'ws-test' } });
    ws.close();

    // Assert
    const connect = gw.events[0]!;
    expect(connect.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageId: null,
      messageDirection: 'IN',
      stage: 'dev',
      apiId: expect.any(String),
      domainName: `127.0.0.1:${gw.port}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'ws-test' },
      authorizer: { principalId: 'tenant-1', tenant: 't-1', role: 'admin', integrationLatency: expect.any(Number) },
    });
    expect(connect.requestContext.connectionId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(Math.abs(connect.requestContext.connectedAt - Date.now())).toBeLessThan(5000);
    expect(connect.requestContext.requestId).toEqual(expect.any(String));
    expect(connect.queryStringParameters).toEqual({ token: 'good' });
    expect(connect.multiValueQueryStringParameters).toEqual({ token: ['good'] });
    expect(connect.headers?.['X-Client']).toBe('cli');
    expect(gw.authorizerEvents[0]).toMatchObject({
      type: 'REQUEST',
      queryStringParameters: { token: 'good' },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: connect.requestContext.connectionId },
    });
    expect(gw.authorizerEvents[0]?.methodArn).toMatch(/\/dev\/\$connect$/);
  });

  it('rejects the handshake with 403 when the authorizer denies the token', async () => {
    // Arrange
    const gw = await startWs();

    // Act
    const refusal = await refusalOf(`${gw.wsUrl}?token=bad`);

    // Assert
    expect(refusal.status).toBe(403);
    expect(JSON.parse(refusal.body)).toMatchObject({ error: { code: 'forbidden' } });
    expect(gw.events).toHaveLength(0);
  });

  it('rejects the handshake with 401 when the authorizer throws Unauthorized', async () => {
    // Arrange
    const gw = await startWs();

    // Act
    const refusal = await refusalOf(`${gw.wsUrl}?token=unknown`);

    // Assert
    expect(refusal.status).toBe(401);
    expect(JSON.parse(refusal.body)).toMatchObject({ error: { code: 'unauthorized' } });
    expect(gw.events).toHaveLength(0);
  });

  it('rejects the handshake with 401 without calling the authorizer when the token is missing', async () => {
    // Arrange
    const gw = await startWs();

    // Act
    const refusal = await refusalOf(gw.wsUrl);

    // Assert
    expect(refusal.status).toBe(401);
    expect(gw.authorizerEvents).toHaveLength(0);
  });

  it('rejects the handshake with the status a failing $connect returns, and 502 when it throws', async () => {
    // Arrange
    const gw = await startWs(async (e) => {
      if (e.requestContext.routeKey !== '$connect') return;
      if (e.queryStringParameters?.['mode'] === 'throw') throw new Error('connect broke');
      return { statusCode: 429, body: 'slow down' };
    });

    // Act
    const refused = await refusalOf(`${gw.wsUrl}?token=good&mode=status`);
    const broken = await refusalOf(`${gw.wsUrl}?token=good&mode=throw`);

    // Assert
    expect(refused).toEqual({ status: 429, body: 'slow down' });
    expect(broken.status).toBe(502);
  });

  it('routes a message whose action names a route to it and anything else to $default, body as sent', async () => {
    // Arrange
    const gw = await startWs();
    const ws = await openSocket(`${gw.wsUrl}?token=good`);
    const subscribe = JSON.stringify({ action: 'subscribe', jobId: 'j1', afterSeq: 0 });
    const unknown = JSON.stringify({ action: 'unsubscribe' });

    // Act
    ws.send(subscribe);
    ws.send(unknown);
    ws.send('not json');
    const messages = await eventually(() => {
      const m = gw.events.filter((e) => e.requestContext.eventType === 'MESSAGE');
      return m.length === 3 ? m : undefined;
    });
    ws.close();

    // Assert
    expect(messages.map((m) => [m.requestContext.routeKey, m.body])).toEqual([
      ['subscribe', subscribe],
      ['$default', unknown],
      ['$default', 'not json'],
    ]);
    const connectionId = gw.events[0]!.requestContext.connectionId;
    for (const m of messages) {
      expect(m.isBase64Encoded).toBe(false);
      expect(m.requestContext).toMatchObject({
        connectionId,
        messageId: expect.any(String),
        authorizer: { tenant: 't-1', principalId: 'tenant-1' },
      });
    }
  });

  it('sends a route result body back to the caller', async () => {
    // Arrange
    const gw = await startWs(async (e) =>
      e.requestContext.eventType === 'MESSAGE' ? { statusCode: 200, body: `echo:${e.body}` } : { statusCode: 200, body: '' },
    );
    const ws = await openSocket(`${gw.wsUrl}?token=good`);
    const frames = inbox(ws);

    // Act
    ws.send('hello');

    // Assert
    expect(await eventually(() => frames[0])).toBe('echo:hello');
    ws.close();
  });

  it('tells the caller Internal server error when a route handler throws', async () => {
    // Arrange
    const { logger, entries } = recordingLogger();
    const started = await start({
      logger,
      websocket: async (e) => {
        if (e.requestContext.eventType === 'MESSAGE') throw new Error('route broke');
        return { statusCode: 200 };
      },
    });
    const ws = await openSocket(started.wsUrl);
    const frames = inbox(ws);

    // Act
    ws.send('{}');

    // Assert
    const reply = JSON.parse(await eventually(() => frames[0])) as Record<string, string>;
    expect(reply).toMatchObject({ message: 'Internal server error', connectionId: expect.any(String) });
    expect(entries.some((e) => e.level === 'error' && (e.details.err as Error).message === 'route broke')).toBe(true);
    ws.close();
  });

  it('holds messages until a slow $connect has resolved, then delivers them one at a time in order', async () => {
    // Arrange
    let connectDone = false;
    const order: string[] = [];
    const started = await start({
      websocket: async (e) => {
        if (e.requestContext.eventType === 'CONNECT') {
          await new Promise((r) => setTimeout(r, 150));
          connectDone = true;
        } else if (e.requestContext.eventType === 'MESSAGE') {
          order.push(`${connectDone ? 'start' : 'early'}:${e.body}`);
          await new Promise((r) => setTimeout(r, 10 * Number(e.body)));
          order.push(`end:${e.body}`);
        }
        return { statusCode: 200 };
      },
    });

    // Act
    const ws = await openSocket(started.wsUrl);
    for (const n of ['3', '2', '1']) ws.send(n);

    // Assert
    expect(await eventually(() => (order.length === 6 ? order : undefined))).toEqual([
      'start:3',
      'end:3',
      'start:2',
      'end:2',
      'start:1',
      'end:1',
    ]);
    ws.close();
  });

  it('stops reading a client that sends faster than its route handler answers, then delivers every message in order', async () => {
    // Arrange: the first message blocks the handler until released.
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const started = await start({
      websocket: async (e) => {
        if (e.requestContext.eventType === 'MESSAGE') {
          seen.push(Number(e.body!.slice(0, 8)));
          if (seen.length === 1) await blocked;
        }
        return { statusCode: 200 };
      },
    });
    const ws = await openSocket(started.wsUrl);
    const padding = 'x'.repeat(64 * 1024);

    // Act: 25 MB while the handler is stuck
    for (let i = 0; i < 400; i++) ws.send(`${String(i).padStart(8, '0')}${padding}`);
    await new Promise((r) => setTimeout(r, 500));

    // Assert: the gateway left most of it unread (in the client's buffer), then took it all in order
    expect(ws.bufferedAmount).toBeGreaterThan(1024 * 1024);
    release();
    expect(await eventually(() => (seen.length === 400 ? seen : undefined), 15_000)).toEqual([...Array(400).keys()]);
    ws.close();
  });

  it('delivers $disconnect with the close code and reason after the last message', async () => {
    // Arrange
    const gw = await startWs();
    const ws = await openSocket(`${gw.wsUrl}?token=good`);

    // Act
    ws.send('last words');
    ws.close(4000, 'bye');

    // Assert
    const disconnect = await eventually(() => gw.events.find((e) => e.requestContext.eventType === 'DISCONNECT'));
    expect(routesOf(gw.events)).toEqual(['$connect', '$default', '$disconnect']);
    expect(disconnect.requestContext).toMatchObject({
      routeKey: '$disconnect',
      connectionId: gw.events[0]!.requestContext.connectionId,
      disconnectStatusCode: 4000,
      disconnectReason: 'bye',
      authorizer: { tenant: 't-1' },
    });
  });

  it('closes open connections with 1001 and delivers their $disconnect when the gateway closes', async () => {
    // Arrange
    const gw = await startWs();
    const ws = await openSocket(`${gw.wsUrl}?token=good`);
    const closing = closed(ws);

    // Act
    await gw.gateway.close();

    // Assert
    expect((await closing).code).toBe(1001);
    expect(routesOf(gw.events)).toEqual(['$connect', '$disconnect']);
  });

  it('accepts a subprotocol only when $connect answers with it', async () => {
    // Arrange
    const started = await start({
      websocket: async () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'cronium.v1' } }),
    });

    // Act
    const ws = await openSocket(started.wsUrl, { protocols: ['cronium.v1', 'other'] });

    // Assert
    expect(ws.protocol).toBe('cronium.v1');
    ws.close();
  });
});
