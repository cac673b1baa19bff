import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoStore, ensureTable } from '../../../lambdas/adapters/dynamodb';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../lambdas/local/embeddedDynamo';
import { jobFactory, lines } from './fixtures';

// Lives beside the store tests because it is the store's local engine; it covers lambdas/local/embeddedDynamo.ts.
describe('startEmbeddedDynamo', () => {
  let dataDir: string | undefined;
  let running: EmbeddedDynamo | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    dataDir ??= await mkdtemp(join(tmpdir(), 'cronium-dynamo-'));
    running = await startEmbeddedDynamo({ dataDir });
    return running;
  };

  it('serves DynamoDB on an ephemeral loopback port', async () => {
    const dynamo = await start();

    await ensureTable(dynamo.client, 'cronium');

    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dynamo.endpoint).not.toMatch(/:4567$/);
  });

  it('keeps tables and items across a restart on the same data directory', async () => {
    const first = await start();
    await ensureTable(first.client, 'cronium');
    const before = createDynamoStore({ tableName: 'cronium', client: first.client });
    await before.jobs.create(jobFactory());
    await before.logs.append({ tenant: 'acme', jobId: 'job1' }, { lines: lines(1, 2), totalBytes: 20 });
    await first.close();

    const second = await start();
    await ensureTable(second.client, 'cronium');
    const after = createDynamoStore({ tableName: 'cronium', client: second.client });

    expect(await after.jobs.get({ tenant: 'acme', jobId: 'job1' })).toStrictEqual(jobFactory());
    expect(await after.logs.read({ tenant: 'acme', jobId: 'job1' }, 0, 10)).toStrictEqual(lines(1, 2));
    expect(await after.jobs.listActive()).toHaveLength(1);
  });
});
