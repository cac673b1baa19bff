import { connect } from 'node:net';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { recordingLogger, send, useGateway } from './harness';

describe('local gateway: REST proxy events', () => {
  const start = useGateway();

  it('turns a GET with a query string into a /{proxy+} proxy event and maps the result back', async () => {
    // Arrange
    const seen: { event: APIGatewayProxyEvent; context: Context }[] = [];
    const { url } = await start({
      stage: 'dev',
      rest: async (event, context) => {
        seen.push({ event, context });
        return {
          statusCode: 201,
          headers: { 'X-Result': 'yes', 'Content-Type': 'text/plain' },
          multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
          body: 'created',
        };
      },
    });

    // Act
    const reply = await send(url, {
      path: '/jobs/abc?status=running&tag=a&tag=b&empty=',
      headers: [
        ['X-Custom-Header', 'one'],
        ['User-Agent', 'gateway-test/1'],
        ['x-repeat', 'first'],
        ['X-Repeat', 'second'],
      ],
    });

    // Assert
    expect(reply.status).toBe(201);
    expect(reply.text).toBe('created');
    expect(reply.headers['x-result']).toBe('yes');
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(seen).toHaveLength(1);
    const { event, context } = seen[0]!;
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/jobs/abc',
      httpMethod: 'GET',
      pathParameters: { proxy: 'jobs/abc' },
      stageVariables: null,
      queryStringParameters: { status: 'running', tag: 'b', empty: '' },
      multiValueQueryStringParameters: { status: ['running'], tag: ['a', 'b'], empty: [''] },
      body: null,
      isBase64Encoded: false,
    });
    expect(event.headers['X-Custom-Header']).toBe('one');
    expect(event.headers['x-custom-header']).toBeUndefined();
    expect(event.headers['x-repeat']).toBe('second');
    expect(event.multiValueHeaders['x-repeat']).toEqual(['first', 'second']);
    expect(event.requestContext).toMatchObject({
      accountId: expect.any(String),
      apiId: expect.any(String),
      stage: 'dev',
      httpMethod: 'GET',
      path: '/dev/jobs/abc',
      resourcePath: '/{proxy+}',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test/1' },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['x-amzn-requestid']).toBe(event.requestContext.requestId);
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(5000);
    expect(event.requestContext.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(context.awsRequestId).toEqual(expect.any(String));
    expect(context.functionName).toEqual(expect.any(String));
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(20_000);
  });

  it('passes a JSON POST body through as text and defaults the response Content-Type to JSON', async () => {
    // Arrange
    let received: APIGatewayProxyEvent | undefined;
    const { url } = await start({
      rest: async (event) => {
        received = event;
        return { statusCode: 202, body: JSON.stringify({ echoed: JSON.parse(event.body ?? 'null') }) };
      },
    });
    const payload = JSON.stringify({ script: 'echo hi', runtime: 'bash' });

    // Act
    const reply = await send(url, {
      method: 'POST',
      path: '/jobs',
      headers: [['Content-Type', 'application/json']],
      body: payload,
    });

    // Assert
    expect(received).toMatchObject({
      httpMethod: 'POST',
      path: '/jobs',
      body: payload,
      isBase64Encoded: false,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
    expect(reply.status).toBe(202);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toEqual({ echoed: { script: 'echo hi', runtime: 'bash' } });
  });

  it('base64-encodes a binary request body and decodes a base64 result', async () => {
    // Arrange
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 255]);
    let received: APIGatewayProxyEvent | undefined;
    const { url } = await start({
      rest: async (event) => {
        received = event;
        return {
          statusCode: 200,
          headers: { 'Content-Type': 'application/octet-stream' },
          body: Buffer.from(event.body ?? '', 'base64')
            .reverse()
            .toString('base64'),
          isBase64Encoded: true,
        };
      },
    });

    // Act
    const reply = await send(url, {
      method: 'PUT',
      path: '/blobs/1',
      headers: [['Content-Type', 'application/octet-stream']],
      body: bytes,
    });

    // Assert
    expect(received?.isBase64Encoded).toBe(true);
    expect(Buffer.from(received?.body ?? '', 'base64')).toEqual(bytes);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(Buffer.from(bytes).reverse());
  });

  it('answers 502 Internal server error and logs the error when the handler throws', async () => {
    // Arrange
    const { logger, entries } = recordingLogger();
    const { url } = await start({
      logger,
      rest: async () => {
        throw new Error('boom');
      },
    });

    // Act
    const reply = await send(url, { path: '/jobs' });

    // Assert
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Internal server error' });
    const logged = entries.find((e) => e.level === 'error');
    expect((logged?.details.err as Error).message).toBe('boom');
  });

  it('answers 502 when the handler returns something that is not a proxy result', async () => {
    // Arrange
    const { url } = await start({ rest: async () => ({ body: 'no status' }) as never });

    // Act
    const reply = await send(url, { path: '/jobs' });

    // Assert
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Internal server error' });
  });

  it('answers 413 invalid_input naming body for an oversize body, without calling the handler', async () => {
    // Arrange
    let calls = 0;
    const { url } = await start({
      maxBodyBytes: 1024,
      rest: async () => {
        calls += 1;
        return { statusCode: 200, body: '' };
      },
    });

    // Act
    const reply = await send(url, {
      method: 'POST',
      path: '/jobs',
      headers: [['Content-Type', 'application/json']],
      body: 'x'.repeat(4096),
    });

    // Assert
    expect(reply.status).toBe(413);
    const body = JSON.parse(reply.text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.message).toMatch(/^body\b/);
    expect(calls).toBe(0);
  });

  it('answers 504 when the handler outlives the integration timeout', async () => {
    // Arrange
    const { url } = await start({
      timeoutMs: 50,
      rest: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: 'late' }), 500)),
    });

    // Act
    const reply = await send(url, { path: '/slow' });

    // Assert
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Endpoint request timed out' });
  });

  it('gives the root path its own resource without path parameters', async () => {
    // Arrange
    let received: APIGatewayProxyEvent | undefined;
    const { url } = await start({
      rest: async (event) => {
        received = event;
        return { statusCode: 204, body: '' };
      },
    });

    // Act
    const reply = await send(url, { path: '/' });

    // Assert
    expect(reply.status).toBe(204);
    expect(received).toMatchObject({ resource: '/', path: '/', pathParameters: null });
  });

  it('decodes percent-encoded path segments in path and proxy', async () => {
    // Arrange
    let received: APIGatewayProxyEvent | undefined;
    const { url } = await start({
      rest: async (event) => {
        received = event;
        return { statusCode: 200, body: '' };
      },
    });

    // Act
    await send(url, { path: '/variables/my%20key' });

    // Assert
    expect(received?.path).toBe('/variables/my key');
    expect(received?.pathParameters).toEqual({ proxy: 'variables/my key' });
  });

  it('answers 426 to a plain HTTP request on the WebSocket path instead of calling the REST handler', async () => {
    // Arrange
    let calls = 0;
    const { url } = await start({
      rest: async () => {
        calls += 1;
        return { statusCode: 200, body: '' };
      },
    });

    // Act
    const reply = await send(url, { path: '/ws' });

    // Assert
    expect(reply.status).toBe(426);
    expect(calls).toBe(0);
  });
  it('decodes the path exactly once: %25 reaches the handler as %, a malformed escape as sent', async () => {
    // Arrange
    const paths: string[] = [];
    const { url } = await start({
      rest: async (event) => {
        paths.push(event.path);
        return { statusCode: 200, body: '' };
      },
    });

    // Act
    for (const path of ['/jobs/%25', '/jobs/%2541', '/jobs/%ZZ', '/jobs/%C0%AF', '/jobs/%FF']) await send(url, { path });

    // Assert
    expect(paths).toEqual(['/jobs/%', '/jobs/%41', '/jobs/%ZZ', '/jobs/%C0%AF', '/jobs/%FF']);
  });

  it('answers 408 and closes the connection when a body stops short of its Content-Length', async () => {
    // Arrange
    let calls = 0;
    const { port } = await start({
      bodyTimeoutMs: 100,
      rest: async () => {
        calls += 1;
        return { statusCode: 200, body: '' };
      },
    });
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const started = Date.now();

    // Act
    socket.write('POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    await ended;

    // Assert
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toMatch(/connection: close/i);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'timeout', message: 'body: not received in full within 100 ms' },
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(0);
  });
});
