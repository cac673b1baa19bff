import { describe, expect, it } from 'vitest';
import type { WebSocketEvent } from '../../../lambdas/local/gateway';
import { createDirectBroadcaster } from '../../../lambdas/local/gateway';
import { eventually, inbox, openSocket, useGateway } from './harness';

describe('local gateway: direct broadcaster (pushes without the management API round trip)', () => {
  const start = useGateway();

  /** A gateway with one open, connected client socket, and a broadcaster into it. */
  const connected = async () => {
    const events: WebSocketEvent[] = [];
    const gw = await start({
      managementAccessKeyId: 'LOCALTESTKEY',
      websocket: async (e) => {
        events.push(e);
        return { statusCode: 200 };
      },
    });
    const ws = await openSocket(gw.wsUrl);
    const connectionId = events[0]!.requestContext.connectionId;
    return { ...gw, ws, events, connectionId, broadcaster: createDirectBroadcaster({ gateway: gw.gateway }) };
  };

  it('sends the message as one JSON text frame', async () => {
    // Arrange
    const gw = await connected();
    const frames = inbox(gw.ws);
    const message = { type: 'logs', jobId: 'j1', lines: [{ seq: 1, line: 'hello' }] };

    // Act
    const outcome = await gw.broadcaster.send(gw.connectionId, message);

    // Assert
    expect(outcome).toBe('sent');
    await eventually(() => (frames.length === 1 ? true : undefined));
    expect(JSON.parse(frames[0]!)).toEqual(message);
    gw.ws.close();
  });

  it('sends one message object to many connections, each getting it whole', async () => {
    // Arrange
    const gw = await connected();
    const second = await openSocket(gw.wsUrl);
    const secondId = (await eventually(() => gw.events.filter((e) => e.requestContext.eventType === 'CONNECT')[1])).requestContext
      .connectionId;
    const firstFrames = inbox(gw.ws);
    const secondFrames = inbox(second);
    const message = { type: 'status', jobId: 'j1', status: 'running' };

    // Act
    const outcomes = [await gw.broadcaster.send(gw.connectionId, message), await gw.broadcaster.send(secondId, message)];

    // Assert
    expect(outcomes).toEqual(['sent', 'sent']);
    await eventually(() => (firstFrames.length === 1 && secondFrames.length === 1 ? true : undefined));
    expect(JSON.parse(firstFrames[0]!)).toEqual(message);
    expect(JSON.parse(secondFrames[0]!)).toEqual(message);
    gw.ws.close();
    second.close();
  });

  it('answers gone for an unknown connection id, and for one that closed', async () => {
    // Arrange
    const gw = await connected();

    // Act
    const unknown = await gw.broadcaster.send('Zm9yZ290dGVuX2lk=', { type: 'status' });
    gw.ws.close();
    await eventually(() => (gw.events.some((e) => e.requestContext.eventType === 'DISCONNECT') ? true : undefined));
    const afterClose = await gw.broadcaster.send(gw.connectionId, { type: 'status' });

    // Assert
    expect(unknown).toBe('gone');
    expect(afterClose).toBe('gone');
  });

  it('answers throttled once a client stops reading (more than 1 MiB unread), still passes small notices, and delivers all it accepted', async () => {
    // Arrange: the client stops reading its socket.
    const gw = await connected();
    const frames = inbox(gw.ws);
    gw.ws.pause();
    const big = { type: 'logs', jobId: 'j1', line: 'x'.repeat(100 * 1024) };

    // Act: push until refused (kernel buffers absorb a few MB first; bounded at 64 MB)
    let accepted = 0;
    let outcome = 'sent';
    while (accepted < 640 && outcome === 'sent') {
      outcome = await gw.broadcaster.send(gw.connectionId, { ...big });
      if (outcome === 'sent') accepted++;
      // Lets the socket drain what the kernel takes, as between real pushes.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const notice = await gw.broadcaster.send(gw.connectionId, { type: 'lagging', jobId: 'j1', sentSeq: 3 });

    // Assert
    expect(outcome).toBe('throttled');
    expect(notice).toBe('sent');
    gw.ws.resume();
    await eventually(() => (frames.length === accepted + 1 ? true : undefined), 10_000);
    expect(JSON.parse(frames.at(-1)!)).toEqual({ type: 'lagging', jobId: 'j1', sentSeq: 3 });
    gw.ws.close();
  });
});
