import type { RequestListener } from 'node:http';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb';
import { cacheDynaliteTableDescriptions, cachingTableDb } from '../../lambdas/local/dynaliteTableCache';
import { LOCAL_CREDENTIALS, UNSIGNED_LOCAL_AUTH } from '../../lambdas/local/embeddedDynamo';
import { inProcessRequestHandler } from '../../lambdas/local/inProcessRequestHandler';

type Callback = (err: Error | null | undefined, value?: unknown) => void;

/** A tableDb whose reads and writes wait until the test lets them finish. */
const fakeTableDb = () => {
  const data = new Map<string, unknown>();
  const pending: (() => void)[] = [];
  let reads = 0;
  const later = (fn: () => void) => pending.push(fn);
  const db = {
    get(key: string, cb: Callback) {
      reads++;
      later(() =>
        data.has(key) ? cb(null, structuredClone(data.get(key))) : cb(Object.assign(new Error('NotFound'), { name: 'NotFoundError' })),
      );
    },
    put(key: string, value: unknown, cb: Callback) {
      later(() => {
        data.set(key, structuredClone(value));
        cb(null);
      });
    },
    del(key: string, cb: Callback) {
      later(() => {
        data.delete(key);
        cb(null);
      });
    },
    batch(ops: readonly { key: string }[], cb: Callback) {
      later(() => cb(null));
      void ops;
    },
  };
  return { db, data, reads: () => reads, flush: () => pending.splice(0).forEach((fn) => fn()) };
};

const read = (db: { get(key: string, cb: Callback): void }, key: string, flush: () => void) =>
  new Promise<unknown>((resolve, reject) => {
    db.get(key, (err, value) => (err ? reject(err) : resolve(value)));
    flush();
  });

describe('cachingTableDb', () => {
  it('reads a description from the store once, and gives each caller its own copy', async () => {
    const fake = fakeTableDb();
    fake.data.set('cronium', { TableName: 'cronium', TableStatus: 'ACTIVE' });
    cachingTableDb(fake.db);
    const db = fake.db;

    const first = (await read(db, 'cronium', fake.flush)) as { TableStatus: string };
    first.TableStatus = 'UPDATING';
    const second = await read(db, 'cronium', fake.flush);

    expect(second).toStrictEqual({ TableName: 'cronium', TableStatus: 'ACTIVE' });
    expect(fake.reads()).toBe(1);
  });

  it('shares a frozen description with readers until the next write', async () => {
    const fake = fakeTableDb();
    fake.data.set('cronium', { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk' }] });
    const cache = cachingTableDb(fake.db);
    expect(cache.shared('cronium')).toBeUndefined();
    await read(fake.db, 'cronium', fake.flush);

    const shared = cache.shared('cronium') as { KeySchema: object[] };
    expect(shared).toStrictEqual({ TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk' }] });
    expect(Object.isFrozen(shared.KeySchema[0])).toBe(true);
    fake.db.put('cronium', { TableStatus: 'UPDATING' }, () => undefined);
    expect(cache.shared('cronium')).toBeUndefined();
  });

  it('reads again after a put or a del of the table', async () => {
    const fake = fakeTableDb();
    fake.data.set('cronium', { TableStatus: 'ACTIVE' });
    cachingTableDb(fake.db);
    const db = fake.db;
    await read(db, 'cronium', fake.flush);

    await new Promise<void>((resolve) => {
      db.put('cronium', { TableStatus: 'UPDATING' }, () => resolve());
      fake.flush();
    });
    expect(await read(db, 'cronium', fake.flush)).toStrictEqual({ TableStatus: 'UPDATING' });
    await new Promise<void>((resolve) => {
      db.del('cronium', () => resolve());
      fake.flush();
    });
    await expect(read(db, 'cronium', fake.flush)).rejects.toThrow('NotFound');
    expect(fake.reads()).toBe(3);
  });

  it('does not keep what a read that overlapped a write returned', async () => {
    const fake = fakeTableDb();
    fake.data.set('cronium', { TableStatus: 'ACTIVE' });
    cachingTableDb(fake.db);
    const db = fake.db;
    // The read is answered with the old description after the put has started.
    const stale = new Promise((resolve) => db.get('cronium', (_err, value) => resolve(value)));
    db.put('cronium', { TableStatus: 'UPDATING' }, () => undefined);
    fake.flush();
    await stale;

    expect(await read(db, 'cronium', fake.flush)).toStrictEqual({ TableStatus: 'UPDATING' });
  });
});

describe('cacheDynaliteTableDescriptions', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  const start = () => {
    cacheDynaliteTableDescriptions();
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    closing.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return createDocumentClient({
      endpoint: 'http://localhost',
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
      httpAuthSchemes: UNSIGNED_LOCAL_AUTH,
      requestHandler: inProcessRequestHandler(server.listeners('request')[0] as RequestListener),
    });
  };
  const create = (hashKey: string) =>
    new CreateTableCommand({
      TableName: 'jobs',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
    });

  /** dynalite answers CreateTable and UpdateTable before the table is ACTIVE (a timer later). */
  const active = async (client: ReturnType<typeof start>) => {
    await vi.waitFor(async () => {
      expect((await client.send(new DescribeTableCommand({ TableName: 'jobs' }))).Table?.TableStatus).toBe('ACTIVE');
    });
  };
  /** and DeleteTable before the table is gone. */
  const gone = async (client: ReturnType<typeof start>) => {
    await vi.waitFor(async () => {
      await expect(client.send(new DescribeTableCommand({ TableName: 'jobs' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    });
  };

  it('is applied once', () => {
    cacheDynaliteTableDescriptions();
    expect(cacheDynaliteTableDescriptions()).toBe(false);
  });

  it('shows an UpdateTable to the next request', async () => {
    const client = start();
    await client.send(create('pk'));
    await active(client);
    await client.send(new GetCommand({ TableName: 'jobs', Key: { pk: 'a' } }));

    await client.send(
      new UpdateTableCommand({
        TableName: 'jobs',
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
      }),
    );
    await active(client);
    const after = await client.send(new DescribeTableCommand({ TableName: 'jobs' }));

    expect(after.Table?.BillingModeSummary?.BillingMode).toBe('PROVISIONED');
    expect(after.Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(3);
  });

  it('shows a DeleteTable and a CreateTable with another key to the next request', async () => {
    const client = start();
    await client.send(create('pk'));
    await active(client);
    await client.send(new PutCommand({ TableName: 'jobs', Item: { pk: 'a' } }));

    await client.send(new DeleteTableCommand({ TableName: 'jobs' }));
    await gone(client);
    await expect(client.send(new GetCommand({ TableName: 'jobs', Key: { pk: 'a' } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await client.send(create('id'));
    await active(client);

    await expect(client.send(new PutCommand({ TableName: 'jobs', Item: { pk: 'a' } }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await client.send(new PutCommand({ TableName: 'jobs', Item: { id: 'b' } }));
    expect((await client.send(new GetCommand({ TableName: 'jobs', Key: { id: 'b' } }))).Item).toStrictEqual({ id: 'b' });
  });
});
