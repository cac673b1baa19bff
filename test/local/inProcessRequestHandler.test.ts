import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ConditionalCheckFailedException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamodb';
import { LOCAL_CREDENTIALS } from '../../lambdas/local/embeddedDynamo';
import { inProcessRequestHandler, type InProcessRequestHandler } from '../../lambdas/local/inProcessRequestHandler';

const clientFor = (requestHandler: InProcessRequestHandler) =>
  createDocumentClient({ endpoint: 'http://localhost', region: 'local', credentials: LOCAL_CREDENTIALS, requestHandler, maxAttempts: 1 });

/** A listener that records what it was handed and answers `reply`. */
const recordingListener = (reply: { status: number; headers: Record<string, string>; body: string }) => {
  const seen: { method?: string; url?: string; headers?: Record<string, unknown>; body: string }[] = [];
  const listener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const entry: (typeof seen)[number] = { method: req.method, url: req.url, headers: { ...req.headers }, body: '' };
    seen.push(entry);
    req.on('data', (chunk: Buffer) => (entry.body += chunk.toString()));
    req.on('end', () => {
      res.statusCode = reply.status;
      for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
      res.end(reply.body);
    });
  };
  return { listener, seen };
};

describe('inProcessRequestHandler', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  /** dynalite in memory, never listening: the only way in is its request listener. */
  const engine = () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const handler = inProcessRequestHandler(server.listeners('request')[0] as RequestListener);
    closing.push(async () => {
      handler.destroy();
      // A server that never listened still closes its store; the "not running" error is expected.
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { server, handler, client: clientFor(handler) };
  };

  it('serves the real DynamoDB client from an engine that listens on nothing', async () => {
    const { server, client } = engine();
    await ensureTable(client, 'cronium');

    await client.send(new PutCommand({ TableName: 'cronium', Item: { pk: 'T#acme', sk: 'JOB#1', n: 1, tags: ['a', 'b'] } }));
    const got = await client.send(new GetCommand({ TableName: 'cronium', Key: { pk: 'T#acme', sk: 'JOB#1' } }));
    const listed = await client.send(
      new QueryCommand({ TableName: 'cronium', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'T#acme' } }),
    );

    expect(server.listening).toBe(false);
    expect(got.Item).toStrictEqual({ pk: 'T#acme', sk: 'JOB#1', n: 1, tags: ['a', 'b'] });
    expect(listed.Items).toStrictEqual([got.Item]);
  });

  it("turns the engine's error answers into the SDK's typed errors", async () => {
    const { client } = engine();
    await ensureTable(client, 'cronium');
    const Item = { pk: 'T#acme', sk: 'JOB#1' };
    await client.send(new PutCommand({ TableName: 'cronium', Item }));

    const [conflict, missingTable] = await Promise.allSettled([
      client.send(new PutCommand({ TableName: 'cronium', Item, ConditionExpression: 'attribute_not_exists(pk)' })),
      client.send(new GetCommand({ TableName: 'no-such-table', Key: Item })),
    ]);

    expect(conflict).toMatchObject({ status: 'rejected', reason: expect.any(ConditionalCheckFailedException) });
    expect(missingTable).toMatchObject({ status: 'rejected', reason: expect.any(ResourceNotFoundException) });
  });

  it('hands the listener the signed request as Node would: lower-case headers, method, path with query, body', async () => {
    const { listener, seen } = recordingListener({ status: 201, headers: { 'X-Answer': 'yes' }, body: 'ok' });
    const handler = inProcessRequestHandler(listener);

    const { response } = await handler.handle({
      method: 'POST',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/',
      query: { a: '1', b: ['2', '3'] },
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.GetItem' },
      body: '{"TableName":"t"}',
    } as unknown as Parameters<InProcessRequestHandler['handle']>[0]);

    expect(seen).toStrictEqual([
      {
        method: 'POST',
        url: '/?a=1&b=2&b=3',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
        body: '{"TableName":"t"}',
      },
    ]);
    expect(response.statusCode).toBe(201);
    expect(response.headers).toStrictEqual({ 'x-answer': 'yes' });
    expect(Buffer.from(response.body as Uint8Array).toString()).toBe('ok');
  });

  it('refuses every request once destroyed, before it reaches the engine', async () => {
    const { listener, seen } = recordingListener({ status: 200, headers: {}, body: '{}' });
    const handler = inProcessRequestHandler(listener);
    const client = clientFor(handler);

    handler.destroy();

    await expect(client.send(new GetCommand({ TableName: 'cronium', Key: { pk: 'a', sk: 'b' } }))).rejects.toThrow(/destroyed/);
    expect(seen).toStrictEqual([]);
  });

  it('refuses a request whose abort signal has fired, before it reaches the engine', async () => {
    const { listener, seen } = recordingListener({ status: 200, headers: {}, body: '{}' });
    const client = clientFor(inProcessRequestHandler(listener));

    const sent = client.send(new GetCommand({ TableName: 'cronium', Key: { pk: 'a', sk: 'b' } }), { abortSignal: AbortSignal.abort() });

    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toStrictEqual([]);
  });
});
