import { mkdtemp, rm } from 'node:fs/promises';
import { request, type RequestListener, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamodb';
import { approximateBytes, cacheItemReads, copyOutput, itemId, ITEM_CACHE_LIMITS } from '../../lambdas/local/cacheItemReads';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo, UNSIGNED_LOCAL_AUTH } from '../../lambdas/local/embeddedDynamo';
import { inProcessRequestHandler } from '../../lambdas/local/inProcessRequestHandler';

const TABLE = 'cronium';
const A = { pk: 'T#acme#JOB#a', sk: 'JOB' };
const B = { pk: 'T#acme#JOB#b', sk: 'JOB' };

/** Operations the engine below answers itself, as dynalite 4 has no transactions. */
const FAKE_ANSWERS: Record<string, string> = { TransactWriteItems: '{}' };

describe('cacheItemReads', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  /**
   * dynalite in memory behind the real client with the cache, and what reached the engine: each
   * request's operation. `holdGetItems` keeps GetItem answers (read by the engine already) until released.
   */
  const engine = async () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamo = server.listeners('request')[0] as RequestListener;
    const operations: string[] = [];
    const held: (() => void)[] = [];
    let holding = false;
    const listener: RequestListener = (req, res) => {
      const operation = String(req.headers['x-amz-target']).split('.')[1]!;
      operations.push(operation);
      const fake = FAKE_ANSWERS[operation];
      if (fake !== undefined) {
        req.on('end', () => res.end(fake));
        return;
      }
      if (operation === 'GetItem' && holding) {
        const end = res.end.bind(res) as (body: unknown) => ServerResponse;
        Object.assign(res, { end: (body: unknown) => held.push(() => end(body)) });
      }
      dynamo(req, res);
    };
    const handler = inProcessRequestHandler(listener);
    const client = createDocumentClient({
      endpoint: 'http://localhost',
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
      httpAuthSchemes: UNSIGNED_LOCAL_AUTH,
      requestHandler: handler,
      maxAttempts: 1,
    });
    const cache = cacheItemReads(client);
    closing.push(async () => {
      handler.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    await ensureTable(client, TABLE);
    return {
      client,
      cache,
      /** GetItem requests that reached the engine. */
      getItems: () => operations.filter((op) => op === 'GetItem').length,
      operations,
      holdGetItems: (on: boolean) => (holding = on),
      waitForHeld: async (n: number) => {
        while (held.length < n) await new Promise((r) => setTimeout(r, 1));
      },
      releaseHeld: () => held.splice(0).forEach((fn) => fn()),
    };
  };

  const get = async (client: DynamoDBDocumentClient, Key: Record<string, string>) =>
    (await client.send(new GetCommand({ TableName: TABLE, Key, ConsistentRead: true }))).Item;

  it('answers a repeated GetCommand from memory, each caller with its own copy', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1, tags: ['x'] } }));

    const first = await get(e.client, A);
    first!['tags'] = ['changed'];
    const second = await e.client.send(new GetCommand({ TableName: TABLE, Key: A }));
    const third = await get(e.client, A);

    expect(third).toStrictEqual({ ...A, n: 1, tags: ['x'] });
    expect(second.Item).toStrictEqual(third);
    expect(e.getItems()).toBe(1);
    expect(e.cache.stats()).toMatchObject({ entries: 1, hits: 2, misses: 1 });
  });

  it('answers a read after a Put, an Update and a Delete with that write', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 1 });

    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 2 } }));
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 2 });

    await e.client.send(
      new UpdateCommand({ TableName: TABLE, Key: A, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 } }),
    );
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 3 });

    await e.client.send(new DeleteCommand({ TableName: TABLE, Key: A }));
    expect(await get(e.client, A)).toBeUndefined();
    expect(await get(e.client, A)).toBeUndefined();

    expect(e.getItems()).toBe(4);
  });

  it('drops an item a failed conditional write was aimed at, and still answers its old value', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    await get(e.client, A);

    const refused = e.client.send(
      new PutCommand({ TableName: TABLE, Item: { ...A, n: 9 }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );

    await expect(refused).rejects.toThrow();
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 1 });
    expect(e.getItems()).toBe(2);
  });

  it('does not keep a GetItem the engine answered before a write that it overlapped', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    await get(e.client, B); // the table's key is known: the Put below touches A alone

    e.holdGetItems(true);
    const overlapping = get(e.client, A);
    await e.waitForHeld(1); // the engine has read n: 1
    e.holdGetItems(false);
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 2 } }));
    e.releaseHeld();

    expect(await overlapping).toStrictEqual({ ...A, n: 1 });
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 2 });
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 2 });
    expect(e.getItems()).toBe(3);
  });

  it('drops the items a BatchWrite puts or deletes, and keeps the others', async () => {
    const e = await engine();
    const C = { pk: 'T#acme#JOB#c', sk: 'JOB' };
    for (const [Key, n] of [
      [A, 1],
      [B, 1],
      [C, 1],
    ] as const) {
      await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...Key, n } }));
      await get(e.client, Key);
    }

    await e.client.send(
      new BatchWriteCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: { ...A, n: 2 } } }, { DeleteRequest: { Key: B } }] } }),
    );

    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 2 });
    expect(await get(e.client, B)).toBeUndefined();
    expect(await get(e.client, C)).toStrictEqual({ ...C, n: 1 });
    expect(e.getItems()).toBe(3 + 2);
  });

  it("drops the items of a TransactWrite's Put, Update and Delete, not of its ConditionCheck", async () => {
    const e = await engine();
    const keys = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ pk: `T#acme#JOB#${id}`, sk: 'JOB' }));
    for (const Key of keys) {
      await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...Key, n: 1 } }));
      await get(e.client, Key);
    }
    const [put, update, del, checked, untouched] = keys as [typeof A, typeof A, typeof A, typeof A, typeof A];

    await e.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...put, n: 2 } } },
          { Update: { TableName: TABLE, Key: update, UpdateExpression: 'SET n = :two', ExpressionAttributeValues: { ':two': 2 } } },
          { Delete: { TableName: TABLE, Key: del } },
          { ConditionCheck: { TableName: TABLE, Key: checked, ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
    );
    expect(e.operations.at(-1)).toBe('TransactWriteItems');
    const before = e.getItems();
    for (const Key of [put, update, del, checked, untouched]) await get(e.client, Key);

    expect(e.getItems() - before).toBe(3);
  });

  it('drops everything for a write to a table whose key it has not learned, and for an unknown command', async () => {
    const e = await engine();
    await ensureTable(e.client, 'other');
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    await get(e.client, A);

    await e.client.send(new PutCommand({ TableName: 'other', Item: { pk: 'x', sk: 'y' } }));
    expect(e.cache.stats().entries).toBe(0);
    await get(e.client, A);
    expect(e.cache.stats().entries).toBe(1);

    await e.client.send(new DeleteTableCommand({ TableName: 'other' }));
    expect(e.cache.stats().entries).toBe(0);
    expect(await get(e.client, A)).toStrictEqual({ ...A, n: 1 });
    expect(e.getItems()).toBe(3);
  });

  it('learns a table key from a GetCommand the engine accepted, so a Put drops only its item', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    await expect(e.client.send(new GetCommand({ TableName: TABLE, Key: { pk: A.pk } }))).rejects.toThrow();
    await get(e.client, A);
    await get(e.client, B);

    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...B, n: 1 } }));

    expect(e.cache.stats().entries).toBe(1);
    expect(await get(e.client, B)).toStrictEqual({ ...B, n: 1 });
  });

  it('passes reads it cannot answer whole (a projection, a Query) to the engine every time', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1, big: 'x' } }));
    const projected = () => e.client.send(new GetCommand({ TableName: TABLE, Key: A, ProjectionExpression: 'n' }));
    const query = () =>
      e.client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': A.pk } }));

    expect((await projected()).Item).toStrictEqual({ n: 1 });
    expect((await projected()).Item).toStrictEqual({ n: 1 });
    await query();
    await query();

    expect(e.getItems()).toBe(2);
    expect(e.operations.filter((op) => op === 'Query')).toHaveLength(2);
    expect(e.cache.stats().entries).toBe(0);
  });

  it('still answers callback-style sends', async () => {
    const e = await engine();
    await e.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    const sendWithCallback = e.client.send.bind(e.client) as unknown as (
      command: GetCommand,
      cb: (err: Error | null, out?: { Item?: unknown }) => void,
    ) => void;

    const item = await new Promise((resolve, reject) =>
      sendWithCallback(new GetCommand({ TableName: TABLE, Key: A }), (err, out) => (err ? reject(err) : resolve(out?.Item))),
    );

    expect(item).toStrictEqual({ ...A, n: 1 });
  });

  it('drops the cache for a write that arrives over the engine socket', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cronium-cache-'));
    const dynamo = await startEmbeddedDynamo({ dataDir });
    closing.push(async () => {
      await dynamo.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await ensureTable(dynamo.client, TABLE);
    await dynamo.client.send(new PutCommand({ TableName: TABLE, Item: { ...A, n: 1 } }));
    expect(await get(dynamo.client, A)).toStrictEqual({ ...A, n: 1 });
    expect(dynamo.readCache!.stats().entries).toBe(1);

    const body = JSON.stringify({ TableName: TABLE, Item: { pk: { S: A.pk }, sk: { S: A.sk }, n: { N: '2' } } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          socketPath: dynamo.socketPath,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.PutItem',
            'x-amz-date': '19700101T000000Z',
            authorization: 'AWS4-HMAC-SHA256 Credential=local/19700101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

    expect(status).toBe(200);
    expect(dynamo.readCache!.stats().entries).toBe(0);
    expect(await get(dynamo.client, A)).toStrictEqual({ ...A, n: 2 });
  });

  it('names items unambiguously, and only those with string keys', () => {
    expect(itemId('t', { pk: 'a', sk: 'b' }, ['pk', 'sk'])).toBe(itemId('t', { sk: 'b', pk: 'a' }, ['pk', 'sk']));
    expect(itemId('t', { pk: 'a"', sk: 'b' }, ['pk', 'sk'])).not.toBe(itemId('t', { pk: 'a', sk: '"b' }, ['pk', 'sk']));
    expect(itemId('t', { pk: 'a', n: 1 }, ['n', 'pk'])).toBeUndefined();
    expect(approximateBytes({ s: 'x'.repeat(1000), list: [1, 2] })).toBeGreaterThan(1000);
    expect(ITEM_CACHE_LIMITS.maxEntryBytes).toBeLessThanOrEqual(ITEM_CACHE_LIMITS.maxBytes);
  });

  it('copies an output deeply, sets and bytes too, and keeps an attribute named __proto__ as an attribute', () => {
    const output = JSON.parse('{"Item":{"pk":"a","m":{"l":[1,{"s":"x"}]},"__proto__":{"polluted":true}}}') as {
      Item: Record<string, unknown>;
    };
    Object.assign(output.Item, { tags: new Set(['t']), raw: new Uint8Array([1, 2]) });

    const copy = copyOutput(output);

    expect(copy).toStrictEqual(output);
    expect(copy.Item['m']).not.toBe(output.Item['m']);
    expect((copy.Item['m'] as { l: unknown[] }).l[1]).not.toBe((output.Item['m'] as { l: unknown[] }).l[1]);
    expect(copy.Item['tags']).not.toBe(output.Item['tags']);
    expect(copy.Item['raw']).not.toBe(output.Item['raw']);
    expect(Object.getPrototypeOf(copy.Item)).toBe(Object.prototype);
    expect(Object.keys(copy.Item)).toContain('__proto__');
  });
});
