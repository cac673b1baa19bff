import { describe, expect, it } from 'vitest';
import type { IdentifiedApiKey, Store } from '../../../../lambdas/core/ports/stores';
import { at } from '../fixtures';

const keyFactory = (o: Partial<IdentifiedApiKey> = {}): IdentifiedApiKey => ({
  id: 'key-1',
  hash: 'ab12'.repeat(16),
  tenant: 'acme',
  role: 'admin',
  createdAt: at(0),
  lastFour: 'wxyz',
  ...o,
});

/**
 * The ApiKeyStore contract. It takes any store factory, so the in-memory fake of the core tests
 * (test/core/ports/storeContract.ts) is held to the same behaviours as the DynamoDB engines.
 */
export function apiKeysContract(newStore: () => Promise<Store>) {
  describe('api keys', () => {
    it('finds a key record by its hash and by its id', async () => {
      const { apiKeys } = await newStore();
      const record = keyFactory();

      await apiKeys.put(record);

      expect(await apiKeys.get(record.hash)).toStrictEqual(record);
      expect(await apiKeys.getById(record.id)).toStrictEqual(record);
      expect(await apiKeys.get('cd34'.repeat(16))).toBeUndefined();
      expect(await apiKeys.getById('key-2')).toBeUndefined();
    });

    it("lists one tenant's keys newest first, and no other tenant's", async () => {
      const { apiKeys } = await newStore();
      const older = keyFactory({ id: 'key-1', hash: 'a1'.repeat(32), createdAt: at(1) });
      const newer = keyFactory({ id: 'key-2', hash: 'a2'.repeat(32), createdAt: at(2), role: 'user' });
      const elsewhere = keyFactory({ id: 'key-3', hash: 'a3'.repeat(32), tenant: 'globex' });
      for (const r of [older, newer, elsewhere]) await apiKeys.put(r);

      expect(await apiKeys.list('acme')).toStrictEqual([newer, older]);
      expect(await apiKeys.list('initech')).toStrictEqual([]);
    });

    it('forgets a deleted key by hash, by id and in the listing, and deleting it again does nothing', async () => {
      const { apiKeys } = await newStore();
      const gone = keyFactory();
      const kept = keyFactory({ id: 'key-2', hash: 'cd34'.repeat(16) });
      await apiKeys.put(gone);
      await apiKeys.put(kept);

      await apiKeys.delete(gone);
      await apiKeys.delete(gone);

      expect(await apiKeys.get(gone.hash)).toBeUndefined();
      expect(await apiKeys.getById(gone.id)).toBeUndefined();
      expect(await apiKeys.list('acme')).toStrictEqual([kept]);
    });

    it('replaces a key stored again with the same hash and id (a role upgrade)', async () => {
      const { apiKeys } = await newStore();
      const record = keyFactory({ role: 'admin' });
      await apiKeys.put(record);

      await apiKeys.put({ ...record, role: 'operator' });

      expect(await apiKeys.get(record.hash)).toMatchObject({ role: 'operator' });
      expect(await apiKeys.list('acme')).toStrictEqual([{ ...record, role: 'operator' }]);
    });

    it.each([
      ['an id with "#"', { id: 'a#b' }],
      ['an empty id', { id: '' }],
    ])('refuses %s', async (_, o) => {
      const { apiKeys } = await newStore();

      await expect(apiKeys.put(keyFactory(o))).rejects.toMatchObject({ code: 'invalid_input' });
    });
  });
}
