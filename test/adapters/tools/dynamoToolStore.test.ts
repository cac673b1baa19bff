import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoToolStore } from '../../../lambdas/adapters/dynamodb';
import type { NotificationRecord, ToolStore } from '../../../lambdas/core';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';

const record = (partial: Partial<NotificationRecord> = {}): NotificationRecord => ({
  tenant: 'acme',
  jobId: 'job1',
  id: '0-failed',
  on: 'failed',
  action: { action: 'webhook', url: 'https://example.test/hook' },
  payload: { jobId: 'job1', logExcerpt: ['a', 'b'] },
  status: 'pending',
  attempts: 0,
  createdAt: '2030-01-01T00:00:00.000Z',
  nextAttemptAt: '2030-01-01T00:00:00.000Z',
  version: 1,
  ...partial,
});

describe('the DynamoDB tool store', () => {
  let db: DynamoBackend;
  let store: ToolStore;
  beforeAll(async () => {
    db = await startDynalite();
    store = createDynamoToolStore({ tableName: db.tableName, client: db.client });
  });
  afterAll(() => db?.stop());

  it('creates a notification once, lists it with its job, and updates it only from the version it read', async () => {
    expect(await store.createNotification(record())).toBe(true);
    expect(await store.createNotification(record({ attempts: 9 }))).toBe(false);
    expect(await store.listNotifications('acme', 'job1')).toEqual([record()]);
    expect(await store.listNotifications('other', 'job1')).toEqual([]);

    const next = record({ attempts: 1, lastError: 'down', version: 2 });
    expect(await store.updateNotification(next)).toBe(true);
    expect(await store.updateNotification({ ...next, attempts: 5 })).toBe(false);
    expect((await store.listNotifications('acme', 'job1'))[0]).toMatchObject({ attempts: 1, version: 2 });
  });

  it('finds the pending notifications due by a time, soonest first, and forgets sent ones', async () => {
    await store.createNotification(record({ jobId: 'due2', nextAttemptAt: '2030-01-01T00:02:00.000Z' }));
    await store.createNotification(record({ jobId: 'due1', nextAttemptAt: '2030-01-01T00:01:00.000Z' }));
    await store.createNotification(record({ jobId: 'later', nextAttemptAt: '2030-01-01T01:00:00.000Z' }));
    await store.createNotification(record({ jobId: 'sent', status: 'sent', nextAttemptAt: undefined }));

    const due = await store.dueNotifications('2030-01-01T00:02:00.000Z', 10);
    expect(due.map((r) => r.jobId)).toEqual(['job1', 'due1', 'due2']);

    await store.updateNotification(record({ jobId: 'due1', status: 'sent', nextAttemptAt: undefined, version: 2 }));
    expect((await store.dueNotifications('2030-01-01T00:02:00.000Z', 10)).map((r) => r.jobId)).toEqual(['job1', 'due2']);
  });

  it('keeps the first signing secret of a tenant', async () => {
    expect(await store.getSigningSecret('acme')).toBeUndefined();
    expect(await store.putSigningSecret('acme', 'cipher-1')).toBe(true);
    expect(await store.putSigningSecret('acme', 'cipher-2')).toBe(false);
    expect(await store.getSigningSecret('acme')).toBe('cipher-1');
    expect(await store.getSigningSecret('other')).toBeUndefined();
  });
});
