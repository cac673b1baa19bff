import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../lambdas/adapters/dynamodb';
import { createIdGenerator } from '../../../lambdas/adapters/system';
import { createControlPlane } from '../../../lambdas/core';
import type { Store } from '../../../lambdas/core/ports';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';
import { createFakeClock } from '../../helpers/memory/createFakeClock';
import { createMemoryQueue } from '../../helpers/memory/createMemoryQueue';
import { createTestDeps } from '../../helpers/memory/createTestDeps';
import { acme, at } from './scheduleHarness';

describe('two ticks racing on one DynamoDB table (dynalite)', () => {
  let backend: DynamoBackend;
  beforeAll(async () => {
    backend = await startDynalite();
  });
  afterAll(async () => {
    await backend.stop();
  });

  it('fire each time once, with any interleaving and catch-up', async () => {
    const store: Store = createDynamoStore({ tableName: await backend.newTable(), client: backend.client });
    const queue = createMemoryQueue();
    const clock = createFakeClock();
    // Two control planes (two Lambdas, two processes): their own ids, one table, one queue. No job is
    // dispatched here, so the reaper's re-offer of long-queued jobs is kept out of the count.
    const [a, b] = [0, 1].map(() =>
      createControlPlane(
        createTestDeps({ store: store as never, queue, clock, ids: createIdGenerator(), config: { staleClaimMs: 3_600_000 } }),
      ),
    );
    const event = await a!.events.create(acme, { name: 'e', runtime: 'bash', script: 'echo hi' });
    await a!.schedules.create(acme, { name: 'every minute', target: { eventId: event.id }, cron: '* * * * *', catchUp: 'all' });
    await a!.schedules.create(acme, { name: 'every two', target: { eventId: event.id }, cron: '*/2 * * * *', overlap: 'skip' });

    for (const hms of ['00:00:30', '00:01:10', '00:01:10', '00:03:00', '00:07:30', '00:07:31', '00:08:00']) {
      clock.set(at(hms));
      await Promise.all([a!.tick(), b!.tick(), a!.tick()]);
    }

    const jobs = (await store.jobs.list('acme', { limit: 1000 })).items;
    const byFire = new Map<string, number>();
    for (const j of jobs) byFire.set(`${j.scheduleId}@${j.scheduledAt}`, (byFire.get(`${j.scheduleId}@${j.scheduledAt}`) ?? 0) + 1);
    expect([...byFire.values()].every((n) => n === 1)).toBe(true);
    // Every minute through 00:09 (the last tick's window reaches 00:09:30): nine fires, each once.
    const everyMinute = jobs.filter((j) => j.scheduleId === jobs.find((x) => x.scheduledAt?.endsWith(':01:00.000Z'))?.scheduleId);
    expect(everyMinute.map((j) => j.scheduledAt).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => new Date(at(`00:0${m}:00`)).toISOString()),
    );
    expect(new Set(queue.messages.map((m) => m.key.jobId)).size).toBe(queue.messages.length);
    expect(queue.messages).toHaveLength(jobs.length);
  });
});
