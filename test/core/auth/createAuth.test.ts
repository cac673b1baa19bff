import { describe, expect, it } from 'vitest';
import { callerFactory } from '../../helpers/factories';
import { createHarness, errorOf } from '../../helpers/memory/createHarness';

describe('API keys', () => {
  it('authenticates an issued key as its tenant and role', async () => {
    const h = createHarness();
    const issued = await h.cp.auth.issue('acme', 'admin');

    expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'acme', role: 'admin' });
  });

  it('issues a different key every time', async () => {
    const h = createHarness();

    const a = await h.cp.auth.issue('acme', 'user');
    const b = await h.cp.auth.issue('acme', 'user');

    expect(a.key).not.toBe(b.key);
    expect(await h.cp.auth.authenticate(b.key)).toEqual({ tenant: 'acme', role: 'user' });
  });

  it.each([
    ['a wrong key', 'crn_not-a-key'],
    ['an empty key', ''],
    ['no key', undefined],
  ])('refuses %s as unauthorized', async (_, key) => {
    const h = createHarness();
    await h.cp.auth.issue('acme', 'admin');

    await expect(h.cp.auth.authenticate(key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('stores only a hash: the key itself never reaches the store', async () => {
    // Arrange
    const h = createHarness();

    // Act
    const issued = await h.cp.auth.issue('acme', 'user');

    // Assert
    const stored = JSON.stringify(h.store.snapshot());
    const secret = issued.key.replace(/^crn_/, '');
    expect(stored).not.toContain(secret);
    expect(h.store.snapshot().apiKeys).toEqual([
      { hash: expect.stringMatching(/^[0-9a-f]{64}$/), tenant: 'acme', role: 'user', createdAt: expect.any(String) },
    ]);
  });

  it('lets an admin create a key for any tenant, a user key by default', async () => {
    const h = createHarness();
    const admin = callerFactory({ tenant: 'ops', role: 'admin' });

    const issued = await h.cp.auth.createKey(admin, { tenant: 'globex' });

    expect(issued).toMatchObject({ tenant: 'globex', role: 'user' });
    expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'globex', role: 'user' });
  });

  it('forbids a user key to create keys', async () => {
    const h = createHarness();

    const err = await errorOf(() => h.cp.auth.createKey(callerFactory({ role: 'user' }), { tenant: 'acme', role: 'admin' }));

    expect(err).toMatchObject({ code: 'forbidden' });
    expect(h.store.snapshot().apiKeys).toEqual([]);
  });

  it.each(['Acme', '-acme', 'ac#me', 'a'.repeat(64), '', 'ac me'])('rejects the tenant name %j, naming the tenant', async (tenant) => {
    const h = createHarness();
    const admin = callerFactory({ role: 'admin' });

    const err = await errorOf(() => h.cp.auth.createKey(admin, { tenant }));

    expect(err).toMatchObject({ code: 'invalid_input', field: 'tenant' });
    expect((err as Error).message).toMatch(/^tenant: /);
    expect(h.store.snapshot().apiKeys).toEqual([]);
  });

  it('accepts the longest tenant name allowed', async () => {
    const h = createHarness();

    const issued = await h.cp.auth.issue(`a${'-'.repeat(61)}z`, 'user');

    expect(issued.tenant).toHaveLength(63);
  });
});
