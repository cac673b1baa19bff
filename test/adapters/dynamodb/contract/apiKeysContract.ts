import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../../../lambdas/core/model';
import { at } from '../fixtures';
import type { NewStore } from './context';

export function apiKeysContract(newStore: NewStore) {
  describe('api keys', () => {
    it('finds a key record by its hash only', async () => {
      const { apiKeys } = await newStore();
      const record: ApiKeyRecord = { hash: 'ab12'.repeat(16), tenant: 'acme', role: 'admin', createdAt: at(0) };

      await apiKeys.put(record);

      expect(await apiKeys.get(record.hash)).toStrictEqual(record);
      expect(await apiKeys.get('cd34'.repeat(16))).toBeUndefined();
    });
  });
}
