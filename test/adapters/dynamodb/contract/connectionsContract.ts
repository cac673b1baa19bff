import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../../../lambdas/core/ports/stores';
import { at } from '../fixtures';
import { manualClock, type NewStore } from './context';

const key = { tenant: 'acme', jobId: 'job1' };
const sub = (connectionId: string, o: Partial<Subscription> = {}): Subscription => ({
  connectionId,
  tenant: 'acme',
  jobId: 'job1',
  sentSeq: 0,
  ...o,
});
const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const LEASE = 5_000;

export function connectionsContract(newStore: NewStore) {
  describe('connections and subscriptions', () => {
    it('stores, reads and deletes a connection', async () => {
      const { connections } = await newStore();
      const connection = { connectionId: 'c1', tenant: 'acme', connectedAt: at(0) };

      await connections.putConnection(connection);
      const read = await connections.getConnection('c1');
      await connections.deleteConnection('c1');

      expect(read).toStrictEqual(connection);
      expect(await connections.getConnection('c1')).toBeUndefined();
    });

    it('forgets a connection past its TTL', async () => {
      const clock = manualClock();
      const { connections } = await newStore({ clock: clock.now });
      await connections.putConnection({ connectionId: 'c1', tenant: 'acme', connectedAt: at(0) });

      clock.advance(DAY_MS + 1000);

      expect(await connections.getConnection('c1')).toBeUndefined();
    });

    it("lists a job's live subscriptions only", async () => {
      const clock = manualClock();
      const { connections } = await newStore({ clock: clock.now });
      await connections.putSubscription(sub('old'));
      clock.advance(DAY_MS - 1000);
      await connections.putSubscription(sub('c1', { sentSeq: 4 }));
      await connections.putSubscription(sub('c2'));
      await connections.putSubscription(sub('elsewhere', { jobId: 'job2' }));
      await connections.deleteSubscription(key, 'c2');

      clock.advance(2000);
      const listed = await connections.listSubscriptions(key);

      expect(listed).toStrictEqual([sub('c1', { sentSeq: 4 })]);
    });

    it("leases all of a job's subscriptions to one sender until it releases, and records their progress", async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      await connections.putSubscription(sub('c2', { sentSeq: 3 }));

      const first = await connections.takeSendLease(key, NOW, LEASE);
      const second = await connections.takeSendLease(key, NOW + 1000, LEASE);
      const lookAgain = await connections.releaseSendLease(key, first!, { sent: new Map([['c1', 7]]), closed: [] });
      const third = await connections.takeSendLease(key, NOW + 2000, LEASE);

      expect(first?.subscriptions).toStrictEqual([sub('c1'), sub('c2', { sentSeq: 3 })]);
      expect(second).toBeUndefined();
      expect(lookAgain).toBe(true);
      expect(third?.subscriptions).toStrictEqual([sub('c1', { sentSeq: 7 }), sub('c2', { sentSeq: 3 })]);
    });

    it('tells the holder not to look again when no one asked', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));

      const lease = await connections.takeSendLease(key, NOW, LEASE);

      expect(await connections.releaseSendLease(key, lease!, { sent: new Map(), closed: [] })).toBe(false);
      expect(await connections.takeSendLease(key, NOW + 1, LEASE)).toBeDefined();
    });

    it('lets another sender take a lease that expired, and ignores the late release of the first', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      const first = await connections.takeSendLease(key, NOW, LEASE);

      const atExpiry = await connections.takeSendLease(key, NOW + LEASE, LEASE);
      const afterExpiry = await connections.takeSendLease(key, NOW + LEASE + 1, LEASE);
      await connections.releaseSendLease(key, first!, { sent: new Map([['c1', 9]]), closed: [] });

      expect(atExpiry).toBeUndefined();
      expect(afterExpiry?.subscriptions).toStrictEqual([sub('c1')]);
      expect(await connections.takeSendLease(key, NOW + LEASE + 2, LEASE)).toBeUndefined();
      expect(await connections.listSubscriptions(key)).toStrictEqual([sub('c1')]);
    });

    it('closes the subscriptions the holder ends', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      await connections.putSubscription(sub('c2'));
      const lease = await connections.takeSendLease(key, NOW, LEASE);

      await connections.releaseSendLease(key, lease!, { sent: new Map([['c2', 4]]), closed: ['c1'] });

      expect(await connections.listSubscriptions(key)).toStrictEqual([sub('c2', { sentSeq: 4 })]);
    });

    it('keeps a subscription put again, deleted or added while the lease was held', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      await connections.putSubscription(sub('c2'));
      const lease = await connections.takeSendLease(key, NOW, LEASE);

      await connections.putSubscription(sub('c1', { sentSeq: 2 }));
      await connections.deleteSubscription(key, 'c2');
      await connections.putSubscription(sub('c3'));
      await connections.releaseSendLease(key, lease!, {
        sent: new Map([
          ['c1', 5],
          ['c2', 5],
        ]),
        closed: ['c1'],
      });

      expect(await connections.listSubscriptions(key)).toStrictEqual([sub('c1', { sentSeq: 2 }), sub('c3')]);
      expect(await connections.takeSendLease(key, NOW + 1, LEASE)).toBeDefined();
    });

    it('neither leases nor records a subscription into existence', async () => {
      const { connections } = await newStore();
      expect(await connections.takeSendLease(key, NOW, LEASE)).toBeUndefined();
      await connections.putSubscription(sub('c1'));
      const lease = await connections.takeSendLease(key, NOW, LEASE);
      await connections.deleteSubscription(key, 'c1');

      await connections.releaseSendLease(key, lease!, { sent: new Map([['c1', 9]]), closed: [] });
      const again = await connections.takeSendLease(key, NOW + 1, LEASE);

      expect(again?.subscriptions ?? []).toEqual([]);
      expect(await connections.listSubscriptions(key)).toEqual([]);
    });
  });
}
