import type { RequestListener } from 'node:http';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamodb';
import { LOCAL_CREDENTIALS, UNSIGNED_LOCAL_AUTH } from '../../lambdas/local/embeddedDynamo';
import { inProcessRequestHandler } from '../../lambdas/local/inProcessRequestHandler';

describe('UNSIGNED_LOCAL_AUTH', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('sends dynalite fixed authorization headers instead of a signature, and dynalite serves the requests', async () => {
    const server = dynalite({ createTableMs: 0 });
    closing.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const inner = inProcessRequestHandler(server.listeners('request')[0] as RequestListener);
    const seen: Record<string, string>[] = [];
    const client = createDocumentClient({
      endpoint: 'http://localhost',
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
      httpAuthSchemes: UNSIGNED_LOCAL_AUTH,
      requestHandler: {
        ...inner,
        handle: (request: Parameters<typeof inner.handle>[0], options?: Parameters<typeof inner.handle>[1]) => {
          seen.push({ ...request.headers });
          return inner.handle(request, options);
        },
      },
    });

    await ensureTable(client, 'cronium');
    await client.send(new PutCommand({ TableName: 'cronium', Item: { pk: 'T#acme', sk: 'ITEM#1', n: 1 } }));
    const got = await client.send(new GetCommand({ TableName: 'cronium', Key: { pk: 'T#acme', sk: 'ITEM#1' } }));

    expect(got.Item).toStrictEqual({ pk: 'T#acme', sk: 'ITEM#1', n: 1 });
    const auth = new Set(seen.map((h) => `${h['authorization']} ${h['x-amz-date']}`));
    expect(auth).toStrictEqual(
      new Set([
        'AWS4-HMAC-SHA256 Credential=local/19700101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=unsigned 19700101T000000Z',
      ]),
    );
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});
