import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../lambdas/core';
import type { ApiKeyRecord } from '../../lambdas/core/model';
import { adminKeyPath, ensureAdminKey } from '../../lambdas/local/adminKey';
import { callerFactory } from '../helpers/factories';
import { createHarness } from '../helpers/memory/createHarness';
import { createMemoryStore } from '../helpers/memory/createMemoryStore';

const dirs: string[] = [];
const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cronium-admin-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A store holding, besides what is put, one key as versions before key ids wrote it: hash item only, role admin. */
const storeWithLegacyKey = (key: string) => {
  const store = createMemoryStore();
  const legacy: ApiKeyRecord = { hash: hashApiKey(key), tenant: 'default', role: 'admin', createdAt: '2029-01-01T00:00:00.000Z' };
  const get = store.apiKeys.get.bind(store.apiKeys);
  store.apiKeys.get = async (hash) => (await get(hash)) ?? (hash === legacy.hash ? { ...legacy } : undefined);
  return store;
};

describe('the bootstrap key of one machine', () => {
  it('is created on first start as an operator key of tenant default, saved with mode 0600', async () => {
    const h = createHarness();
    const dir = await dataDir();

    const { key, created } = await ensureAdminKey(h.cp, dir);

    expect(created).toBe(true);
    expect((await readFile(adminKeyPath(dir), 'utf8')).trim()).toBe(key);
    expect((await stat(adminKeyPath(dir))).mode & 0o777).toBe(0o600);
    expect(await h.cp.auth.authenticate(key)).toEqual({ tenant: 'default', role: 'operator' });
  });

  it('is reused on the next start', async () => {
    const h = createHarness();
    const dir = await dataDir();
    const first = await ensureAdminKey(h.cp, dir);

    const second = await ensureAdminKey(h.cp, dir);

    expect(second).toEqual({ key: first.key, created: false });
    expect(h.store.snapshot().apiKeys).toHaveLength(1);
  });

  it('upgrades an admin key saved by an older version to an operator key with an id, keeping its secret', async () => {
    // Arrange
    const key = 'crn_from-an-older-data-dir';
    const h = createHarness({ store: storeWithLegacyKey(key) });
    const dir = await dataDir();
    await writeFile(adminKeyPath(dir), `${key}\n`, { mode: 0o600 });
    expect(await h.cp.auth.authenticate(key)).toEqual({ tenant: 'default', role: 'admin' });

    // Act
    const result = await ensureAdminKey(h.cp, dir);

    // Assert
    expect(result).toEqual({ key, created: false });
    expect(await h.cp.auth.authenticate(key)).toEqual({ tenant: 'default', role: 'operator' });
    const operator = callerFactory({ tenant: 'default', role: 'operator' });
    expect(await h.cp.auth.listKeys(operator)).toEqual([
      { id: expect.any(String), tenant: 'default', role: 'operator', createdAt: '2029-01-01T00:00:00.000Z', lastFour: key.slice(-4) },
    ]);
    await expect(h.cp.auth.createKey(operator, { tenant: 'globex' })).resolves.toMatchObject({ tenant: 'globex' });
  });
});
