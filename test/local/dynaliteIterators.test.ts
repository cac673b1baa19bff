import { createRequire } from 'node:module';
import type { RequestListener } from 'node:http';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamodb';
import { closeDynaliteIterators } from '../../lambdas/local/dynaliteIterators';
import { LOCAL_CREDENTIALS } from '../../lambdas/local/embeddedDynamo';
import { inProcessRequestHandler } from '../../lambdas/local/inProcessRequestHandler';

/** The prototype every abstract-level iterator dynalite opens inherits `close` from. */
const iteratorBase = () => {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { AbstractIterator } = createRequire(fromDynalite.resolve('classic-level'))('abstract-level');
  return Object.getPrototypeOf(AbstractIterator.prototype);
};

describe('closeDynaliteIterators', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const close of closing.splice(0)) await close();
  });

  it('closes the iterator of every Query that stops at its Limit', async () => {
    closeDynaliteIterators();
    const server = dynalite({ createTableMs: 0 });
    const handler = inProcessRequestHandler(server.listeners('request')[0] as RequestListener);
    closing.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = createDocumentClient({
      endpoint: 'http://localhost',
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
      requestHandler: handler,
    });
    await ensureTable(client, 'cronium');
    for (let i = 0; i < 30; i++)
      await client.send(new PutCommand({ TableName: 'cronium', Item: { pk: 'T#acme#JOB#1', sk: `LOG#${1000 + i}` } }));
    const close = vi.spyOn(iteratorBase(), 'close');

    const pages = [];
    for (let i = 0; i < 20; i++) {
      const page = await client.send(
        new QueryCommand({
          TableName: 'cronium',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'T#acme#JOB#1' },
          Limit: 5,
        }),
      );
      pages.push(page.Items?.length);
    }
    // Closing is asynchronous (a stream's destroy); let it run.
    await vi.waitFor(() => expect(close.mock.calls.length).toBeGreaterThanOrEqual(20));

    expect(pages).toStrictEqual(Array.from({ length: 20 }, () => 5));
  });

  it('leaves the iterators alone the second time', () => {
    closeDynaliteIterators();

    expect(closeDynaliteIterators()).toBe(false);
    expect(typeof iteratorBase().return).toBe('function');
  });
});
