import { describe, expect, it } from 'vitest';
import type { Server } from '../../../../lambdas/core/model';
import type { Store } from '../../../../lambdas/core/ports/stores';

const serverFactory = (o: Partial<Server> = {}): Server => ({
  tenant: 'acme',
  id: 'srv-1',
  name: 'web-1',
  host: '127.0.0.1',
  port: 2222,
  username: 'deploy',
  privateKeyCiphertext: 'ciphertext',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  ...o,
});

/**
 * The ServerStore contract, for the in-memory fake (test/core/ports/storeContract.ts) and the
 * DynamoDB engines alike: trust on first use must hold when runners race.
 */
export function serversContract(newStore: () => Promise<Store>) {
  describe('servers', () => {
    it('pins the first host key seen and says so', async () => {
      const { servers } = await newStore();
      await servers.put(serverFactory());

      expect(await servers.pinHostKey('acme', 'srv-1', 'SHA256:first', '2030-01-01T00:01:00.000Z')).toBe(true);

      const stored = await servers.get('acme', 'srv-1');
      expect(stored?.hostKeyFingerprint).toBe('SHA256:first');
      expect(stored?.hostKeyTrustedAt).toBe('2030-01-01T00:01:00.000Z');
    });

    it('keeps a pinned key: a later pin of another key changes nothing', async () => {
      const { servers } = await newStore();
      await servers.put(serverFactory({ hostKeyFingerprint: 'SHA256:given' }));

      expect(await servers.pinHostKey('acme', 'srv-1', 'SHA256:other', '2030-01-01T00:01:00.000Z')).toBe(false);

      const stored = await servers.get('acme', 'srv-1');
      expect(stored?.hostKeyFingerprint).toBe('SHA256:given');
      expect(stored?.hostKeyTrustedAt).toBeUndefined();
    });

    it('lets exactly one of two racing pins of different keys win', async () => {
      const { servers } = await newStore();
      await servers.put(serverFactory());

      const [a, b] = await Promise.all([
        servers.pinHostKey('acme', 'srv-1', 'SHA256:runner-a', '2030-01-01T00:01:00.000Z'),
        servers.pinHostKey('acme', 'srv-1', 'SHA256:runner-b', '2030-01-01T00:01:00.000Z'),
      ]);

      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect((await servers.get('acme', 'srv-1'))?.hostKeyFingerprint).toBe(a ? 'SHA256:runner-a' : 'SHA256:runner-b');
    });

    it('creates no server by pinning a key of one that does not exist', async () => {
      const { servers } = await newStore();

      expect(await servers.pinHostKey('acme', 'gone', 'SHA256:first', '2030-01-01T00:01:00.000Z')).toBe(false);

      expect(await servers.get('acme', 'gone')).toBeUndefined();
    });
  });
}
