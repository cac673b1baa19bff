import { beforeEach, describe, expect, it } from 'vitest';
import type { JobKey } from '../../../lambdas/core/model';
import type { Store } from '../../../lambdas/core/ports';
import { jobFactory, logLineFactory } from '../../helpers/factories';
// One variables (and api keys) contract for every store: the DynamoDB engines run the same file.
import { variablesContract } from '../../adapters/dynamodb/contract/variablesContract';
import { apiKeysContract } from '../../adapters/dynamodb/contract/apiKeysContract';
import { schedulesContract } from '../../adapters/dynamodb/contract/schedulesContract';
import { serversContract } from '../../adapters/dynamodb/contract/serversContract';

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute)).toISOString();
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

/**
 * The behaviour every Store implementation must show, whatever holds the data.
 * `makeStore` returns a fresh, empty store.
 */
export const describeStoreContract = (name: string, makeStore: () => Store | Promise<Store>) => {
  describe(`${name}: the Store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });

    describe('jobs', () => {
      it('rejects a second job with the same id as a conflict', async () => {
        const job = jobFactory();
        await store.jobs.create(job);
        expect(await codeOf(store.jobs.create({ ...job, script: 'other' }))).toBe('conflict');
      });

      it('keeps jobs of different tenants with the same id apart', async () => {
        await store.jobs.create(jobFactory({ tenant: 'acme', id: 'same', script: 'a' }));
        await store.jobs.create(jobFactory({ tenant: 'globex', id: 'same', script: 'b' }));
        expect((await store.jobs.get({ tenant: 'acme', jobId: 'same' }))?.script).toBe('a');
        expect((await store.jobs.get({ tenant: 'globex', jobId: 'same' }))?.script).toBe('b');
        expect(await store.jobs.get({ tenant: 'initech', jobId: 'same' })).toBeUndefined();
      });

      it('moves a job on, bumping its version and applying the patch', async () => {
        const job = jobFactory({ status: 'queued' });
        await store.jobs.create(job);
        const next = await store.jobs.transition(job, 'claimed', { claimedAt: at(1) });
        expect(next).toMatchObject({ status: 'claimed', version: job.version + 1, claimedAt: at(1) });
        expect(await store.jobs.get({ tenant: job.tenant, jobId: job.id })).toEqual(next);
      });

      it('removes a field the patch sets to undefined', async () => {
        const job = jobFactory({ status: 'claimed', claimedAt: at(1) });
        await store.jobs.create(job);
        const next = await store.jobs.transition(job, 'queued', { claimedAt: undefined });
        expect('claimedAt' in next).toBe(false);
        expect('claimedAt' in ((await store.jobs.get({ tenant: job.tenant, jobId: job.id })) ?? {})).toBe(false);
      });

      it('refuses a transition from a stale status or version', async () => {
        const job = jobFactory({ status: 'queued' });
        await store.jobs.create(job);
        await store.jobs.transition(job, 'claimed');
        expect(await codeOf(store.jobs.transition(job, 'claimed'))).toBe('conflict');
        expect(await codeOf(store.jobs.transition({ ...job, status: 'claimed' }, 'running'))).toBe('conflict');
      });

      it('refuses a transition of a job that does not exist', async () => {
        expect(await codeOf(store.jobs.transition(jobFactory(), 'claimed'))).toBe('conflict');
      });

      it('does not let a patch change the identity of a job', async () => {
        const job = jobFactory();
        await store.jobs.create(job);
        expect(await codeOf(store.jobs.transition(job, 'claimed', { tenant: 'globex' }))).toBe('invalid_input');
      });

      it('lists a tenant’s jobs newest first across pages, and only theirs', async () => {
        for (let i = 1; i <= 5; i++) await store.jobs.create(jobFactory({ id: `j${i}`, createdAt: at(i) }));
        await store.jobs.create(jobFactory({ tenant: 'globex', id: 'g1', createdAt: at(9) }));

        const first = await store.jobs.list('acme', { limit: 2 });
        const second = await store.jobs.list('acme', { limit: 2, cursor: first.nextCursor });
        const third = await store.jobs.list('acme', { limit: 2, cursor: second.nextCursor });

        expect([first, second, third].map((p) => p.items.map((j) => j.id))).toEqual([['j5', 'j4'], ['j3', 'j2'], ['j1']]);
        expect(third.nextCursor).toBeUndefined();
      });

      it('gives no cursor when the last page is exactly full', async () => {
        for (let i = 1; i <= 2; i++) await store.jobs.create(jobFactory({ id: `j${i}`, createdAt: at(i) }));
        expect((await store.jobs.list('acme', { limit: 2 })).nextCursor).toBeUndefined();
      });

      it('filters a listing by status and by event', async () => {
        await store.jobs.create(jobFactory({ id: 'a', createdAt: at(1), status: 'queued', eventId: 'e1' }));
        await store.jobs.create(jobFactory({ id: 'b', createdAt: at(2), status: 'completed', eventId: 'e1' }));
        await store.jobs.create(jobFactory({ id: 'c', createdAt: at(3), status: 'completed' }));

        const completed = await store.jobs.list('acme', { limit: 10, status: 'completed' });
        const ofEvent = await store.jobs.list('acme', { limit: 10, eventId: 'e1' });
        const both = await store.jobs.list('acme', { limit: 10, eventId: 'e1', status: 'completed' });

        expect(completed.items.map((j) => j.id)).toEqual(['c', 'b']);
        expect(ofEvent.items.map((j) => j.id)).toEqual(['b', 'a']);
        expect(both.items.map((j) => j.id)).toEqual(['b']);
      });

      it('rejects a malformed cursor naming the cursor field', async () => {
        const err = await store.jobs.list('acme', { limit: 2, cursor: 'not a cursor!' }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'invalid_input', field: 'cursor' });
        const forged = await store.jobs.list('acme', { limit: 2, cursor: 'bm9wZQ' }).catch((e: unknown) => e);
        expect(forged).toMatchObject({ code: 'invalid_input', field: 'cursor' });
      });

      it('lists the active jobs of every tenant, oldest first', async () => {
        await store.jobs.create(jobFactory({ id: 'late', createdAt: at(3), status: 'running' }));
        await store.jobs.create(jobFactory({ tenant: 'globex', id: 'early', createdAt: at(1), status: 'queued' }));
        await store.jobs.create(jobFactory({ id: 'mid', createdAt: at(2), status: 'claimed' }));
        await store.jobs.create(jobFactory({ id: 'done', createdAt: at(0), status: 'completed' }));

        expect((await store.jobs.listActive()).map((j) => j.id)).toEqual(['early', 'mid', 'late']);
      });

      it('hands out copies: changing a returned job changes nothing stored', async () => {
        const job = jobFactory();
        await store.jobs.create(job);
        job.script = 'mutated after create';
        const read = await store.jobs.get({ tenant: job.tenant, jobId: job.id });
        if (read) read.resources.cpu = 99;
        expect(await store.jobs.get({ tenant: job.tenant, jobId: job.id })).toMatchObject({
          script: 'echo hello',
          resources: { cpu: 0.5 },
        });
      });
    });

    describe('events', () => {
      const event = (id: string, minute: number, tenant = 'acme') => ({
        ...jobFactory(),
        tenant,
        id,
        name: id,
        createdAt: at(minute),
        updatedAt: at(minute),
      });

      it('stores, replaces, lists newest first and deletes events per tenant', async () => {
        await store.events.put(event('e1', 1));
        await store.events.put(event('e2', 2));
        await store.events.put({ ...event('e1', 1), name: 'renamed' });
        await store.events.put(event('g1', 3, 'globex'));

        expect((await store.events.list('acme', { limit: 10 })).items.map((e) => e.name)).toEqual(['e2', 'renamed']);
        expect(await store.events.delete('acme', 'e1')).toBe(true);
        expect(await store.events.delete('acme', 'e1')).toBe(false);
        expect(await store.events.get('acme', 'e1')).toBeUndefined();
        expect(await store.events.get('acme', 'g1')).toBeUndefined();
      });
    });

    describe('logs', () => {
      const key: JobKey = { tenant: 'acme', jobId: 'j1' };
      const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => logLineFactory({ seq: from + i }));

      it('reads the lines after a seq across batches, at most `limit`', async () => {
        await store.logs.append(key, { lines: lines(1, 3), totalBytes: 30 });
        await store.logs.append(key, { lines: lines(4, 3), totalBytes: 60, resumeToken: 't6' });

        expect((await store.logs.read(key, 2, 100)).map((l) => l.seq)).toEqual([3, 4, 5, 6]);
        expect((await store.logs.read(key, 0, 4)).map((l) => l.seq)).toEqual([1, 2, 3, 4]);
        expect(await store.logs.read(key, 6, 100)).toEqual([]);
        expect(await store.logs.read({ tenant: 'globex', jobId: 'j1' }, 0, 100)).toEqual([]);
      });

      it('reports the tail: last seq, total bytes and resume token', async () => {
        expect(await store.logs.tail(key)).toEqual({ lastSeq: 0, totalBytes: 0 });
        await store.logs.append(key, { lines: lines(1, 2), totalBytes: 20, resumeToken: 't2' });
        await store.logs.append(key, { lines: lines(3, 2), totalBytes: 40, resumeToken: 't4' });
        expect(await store.logs.tail(key)).toEqual({ lastSeq: 4, totalBytes: 40, resumeToken: 't4' });
      });

      it('rejects a second batch starting at the same seq as a conflict', async () => {
        await store.logs.append(key, { lines: lines(1, 2), totalBytes: 20 });
        expect(await codeOf(store.logs.append(key, { lines: lines(1, 1), totalBytes: 10 }))).toBe('conflict');
      });

      it('rejects an empty batch and one with a gap', async () => {
        expect(await codeOf(store.logs.append(key, { lines: [], totalBytes: 0 }))).toBe('invalid_input');
        expect(
          await codeOf(store.logs.append(key, { lines: [logLineFactory({ seq: 1 }), logLineFactory({ seq: 3 })], totalBytes: 0 })),
        ).toBe('invalid_input');
      });
    });

    describe('connections and subscriptions', () => {
      const key: JobKey = { tenant: 'acme', jobId: 'j1' };
      const sub = (connectionId: string, sentSeq = 0) => ({ connectionId, tenant: 'acme', jobId: 'j1', sentSeq });

      it('stores and forgets connections', async () => {
        await store.connections.putConnection({ connectionId: 'c1', tenant: 'acme', connectedAt: at(0) });
        expect(await store.connections.getConnection('c1')).toMatchObject({ tenant: 'acme' });
        await store.connections.deleteConnection('c1');
        expect(await store.connections.getConnection('c1')).toBeUndefined();
      });

      it('lists a job’s subscriptions and deletes one', async () => {
        await store.connections.putSubscription(sub('c1'));
        await store.connections.putSubscription(sub('c2', 4));
        await store.connections.deleteSubscription(key, 'c1');
        expect(await store.connections.listSubscriptions(key)).toEqual([sub('c2', 4)]);
      });

      it("grants a job's send lease to one sender until it is released, with every position", async () => {
        await store.connections.putSubscription(sub('c1', 2));
        await store.connections.putSubscription(sub('c2'));

        const first = await store.connections.takeSendLease(key, 1_000, 500);
        const second = await store.connections.takeSendLease(key, 1_100, 500);
        const again = await store.connections.releaseSendLease(key, first!, { sent: new Map([['c1', 7]]), closed: ['c2'] });
        const third = await store.connections.takeSendLease(key, 1_200, 500);

        expect(first?.subscriptions).toEqual([sub('c1', 2), sub('c2')]);
        expect(second).toBeUndefined();
        expect(again).toBe(true);
        expect(third?.subscriptions).toEqual([sub('c1', 7)]);
      });

      it('lets another sender take a lease that expired', async () => {
        await store.connections.putSubscription(sub('c1'));
        await store.connections.takeSendLease(key, 1_000, 500);
        expect((await store.connections.takeSendLease(key, 1_501, 500))?.subscriptions).toEqual([sub('c1')]);
      });

      it('does not lease or bring back a deleted subscription', async () => {
        await store.connections.putSubscription(sub('c1'));
        const lease = await store.connections.takeSendLease(key, 1_000, 500);
        await store.connections.deleteSubscription(key, 'c1');
        await store.connections.releaseSendLease(key, lease!, { sent: new Map([['c1', 5]]), closed: [] });
        expect(await store.connections.takeSendLease(key, 2_000, 500)).toBeUndefined();
        expect(await store.connections.listSubscriptions(key)).toEqual([]);
      });

      it('keeps a subscription put again while the lease was held', async () => {
        await store.connections.putSubscription(sub('c1', 3));
        const lease = await store.connections.takeSendLease(key, 1_000, 500);
        await store.connections.putSubscription(sub('c1', 1));
        await store.connections.releaseSendLease(key, lease!, { sent: new Map([['c1', 9]]), closed: [] });
        expect((await store.connections.takeSendLease(key, 1_100, 500))?.subscriptions).toEqual([sub('c1', 1)]);
      });
    });

    variablesContract(async () => makeStore());
    apiKeysContract(async () => makeStore());
    schedulesContract(async () => makeStore());
    serversContract(async () => makeStore());

    describe('slots', () => {
      const a: JobKey = { tenant: 'acme', jobId: 'a' };
      const b: JobKey = { tenant: 'acme', jobId: 'b' };

      it('gives a slot to one holder at a time, again to the same holder', async () => {
        expect(await store.slots.acquire(0, a)).toBe(true);
        expect(await store.slots.acquire(0, b)).toBe(false);
        expect(await store.slots.acquire(0, a)).toBe(true);
        expect(await store.slots.held()).toEqual([{ slot: 0, holder: a }]);
      });

      it('frees a slot only for its holder', async () => {
        await store.slots.acquire(0, a);
        await store.slots.release(0, b);
        expect(await store.slots.held()).toEqual([{ slot: 0, holder: a }]);
        await store.slots.release(0, a);
        expect(await store.slots.held()).toEqual([]);
        expect(await store.slots.acquire(0, b)).toBe(true);
      });
    });
  });
};
