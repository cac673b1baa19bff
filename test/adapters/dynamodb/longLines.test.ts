import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../lambdas/adapters/dynamodb';
import { createControlPlane } from '../../../lambdas/core/createControlPlane';
import { callerFactory } from '../../helpers/factories';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';
import { createTestDeps } from '../../helpers/memory/createTestDeps';

const acme = callerFactory();

describe('long lines on a real DynamoDB engine (dynalite)', () => {
  let db: DynamoBackend;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db?.stop());

  it('stores and reads back all forty lines of 15,005 bytes reported in one call', async () => {
    // Arrange: the recorder over the DynamoDB store, a job running on the fake launcher
    const store = createDynamoStore({ tableName: await db.newTable(), client: db.client });
    const cp = createControlPlane({ ...createTestDeps(), store });
    const job = await cp.jobs.submit(acme, { runtime: 'python', script: 'print(1)' });
    expect(await cp.dispatch({ tenant: job.tenant, jobId: job.id })).toBe('launched');
    const lines = Array.from({ length: 40 }, (_, i) => ({
      stream: 'stdout' as const,
      ts: '2026-01-01T00:00:00.000Z',
      line: `${String(i).padStart(5, '0')}${'L'.repeat(15_000)}`,
    }));

    // Act
    await cp.executions.output({ tenant: job.tenant, jobId: job.id }, lines, 't40');

    // Assert
    const stored = await store.logs.read({ tenant: job.tenant, jobId: job.id }, 0, 100);
    expect(stored.map((l) => l.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(stored.map((l) => l.line)).toEqual(lines.map((l) => l.line));
    expect(await store.logs.tail({ tenant: job.tenant, jobId: job.id })).toMatchObject({ lastSeq: 40, resumeToken: 't40' });
  });
});
