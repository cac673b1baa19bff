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

    it('leases a subscription to one sender until it unlocks', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));

      const first = await connections.lockSubscription(key, 'c1', NOW, LEASE);
      const second = await connections.lockSubscription(key, 'c1', NOW + 1000, LEASE);
      await connections.unlockSubscription(key, 'c1', 7);
      const third = await connections.lockSubscription(key, 'c1', NOW + 2000, LEASE);

      expect(first).toStrictEqual(sub('c1'));
      expect(second).toBeUndefined();
      expect(third).toStrictEqual(sub('c1', { sentSeq: 7 }));
    });

    it('lets another sender take a lease that expired', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      await connections.lockSubscription(key, 'c1', NOW, LEASE);

      const atExpiry = await connections.lockSubscription(key, 'c1', NOW + LEASE, LEASE);
      const afterExpiry = await connections.lockSubscription(key, 'c1', NOW + LEASE + 1, LEASE);

      expect(atExpiry).toBeUndefined();
      expect(afterExpiry).toStrictEqual(sub('c1'));
    });

    it('frees the lease when the subscription is put again', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      await connections.lockSubscription(key, 'c1', NOW, LEASE);

      await connections.putSubscription(sub('c1', { sentSeq: 2 }));

      expect(await connections.lockSubscription(key, 'c1', NOW + 1, LEASE)).toStrictEqual(sub('c1', { sentSeq: 2 }));
    });

    it('neither locks nor unlocks a subscription into existence', async () => {
      const { connections } = await newStore();
      await connections.putSubscription(sub('c1'));
      await connections.lockSubscription(key, 'c1', NOW, LEASE);
      await connections.deleteSubscription(key, 'c1');

      await connections.unlockSubscription(key, 'c1', 9);
      const locked = await connections.lockSubscription(key, 'c2', NOW, LEASE);

      expect(locked).toBeUndefined();
      expect(await connections.listSubscriptions(key)).toEqual([]);
    });
  });
}
