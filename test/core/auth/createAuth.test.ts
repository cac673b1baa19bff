import { describe, expect, it } from 'vitest';
import { callerFactory } from '../../helpers/factories';
import { createHarness, errorOf } from '../../helpers/memory/createHarness';

const operator = callerFactory({ tenant: 'default', role: 'operator' });
const acmeAdmin = callerFactory({ tenant: 'acme', role: 'admin' });

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
    expect(a.id).not.toBe(b.id);
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
      {
        id: issued.id,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        tenant: 'acme',
        role: 'user',
        createdAt: expect.any(String),
        lastFour: issued.key.slice(-4),
      },
    ]);
    expect(issued.id).not.toContain(secret);
  });

  describe('creating keys', () => {
    it('lets an operator create a key for any tenant, a user key by default', async () => {
      const h = createHarness();

      const issued = await h.cp.auth.createKey(operator, { tenant: 'globex' });

      expect(issued).toMatchObject({ tenant: 'globex', role: 'user' });
      expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'globex', role: 'user' });
    });

    it('lets an operator create another operator key', async () => {
      const h = createHarness();

      const issued = await h.cp.auth.createKey(operator, { tenant: 'default', role: 'operator' });

      expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'default', role: 'operator' });
    });

    it.each(['admin', 'user'] as const)('lets an admin create an %s key for its own tenant', async (role) => {
      const h = createHarness();

      const issued = await h.cp.auth.createKey(acmeAdmin, { tenant: 'acme', role });

      expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'acme', role });
    });

    it('forbids an admin to create a key for another tenant, naming the tenant, and stores nothing', async () => {
      const h = createHarness();

      const err = await errorOf(() => h.cp.auth.createKey(acmeAdmin, { tenant: 'default', role: 'admin' }));

      expect(err).toMatchObject({ code: 'forbidden' });
      expect((err as Error).message).toMatch(/^tenant: /);
      expect(h.store.snapshot().apiKeys).toEqual([]);
    });

    it('forbids an admin to create an operator key, even for its own tenant', async () => {
      const h = createHarness();

      const err = await errorOf(() => h.cp.auth.createKey(acmeAdmin, { tenant: 'acme', role: 'operator' }));

      expect(err).toMatchObject({ code: 'forbidden' });
      expect((err as Error).message).toMatch(/^role: /);
      expect(h.store.snapshot().apiKeys).toEqual([]);
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

  describe('listing keys', () => {
    it("shows an admin its own tenant's keys, newest first, without secret or hash", async () => {
      // Arrange
      const h = createHarness();
      const first = await h.cp.auth.issue('acme', 'admin');
      h.clock.advance(1000);
      const second = await h.cp.auth.issue('acme', 'user');
      await h.cp.auth.issue('globex', 'user');

      // Act
      const items = await h.cp.auth.listKeys(acmeAdmin);

      // Assert
      expect(items).toEqual([
        { id: second.id, tenant: 'acme', role: 'user', createdAt: second.createdAt, lastFour: second.key.slice(-4) },
        { id: first.id, tenant: 'acme', role: 'admin', createdAt: first.createdAt, lastFour: first.key.slice(-4) },
      ]);
      const shown = JSON.stringify(items);
      for (const { key } of [first, second]) expect(shown).not.toContain(key.replace(/^crn_/, ''));
      for (const { hash } of h.store.snapshot().apiKeys) expect(shown).not.toContain(hash);
    });

    it('lets an operator list any tenant it names, and its own by default', async () => {
      const h = createHarness();
      const globex = await h.cp.auth.issue('globex', 'user');
      const own = await h.cp.auth.issue('default', 'operator');

      expect((await h.cp.auth.listKeys(operator, { tenant: 'globex' })).map((k) => k.id)).toEqual([globex.id]);
      expect((await h.cp.auth.listKeys(operator)).map((k) => k.id)).toEqual([own.id]);
    });

    it("forbids an admin to list another tenant's keys, naming the tenant", async () => {
      const h = createHarness();
      await h.cp.auth.issue('globex', 'user');

      const err = await errorOf(() => h.cp.auth.listKeys(acmeAdmin, { tenant: 'globex' }));

      expect(err).toMatchObject({ code: 'forbidden' });
      expect((err as Error).message).toMatch(/^tenant: /);
    });

    it('forbids a user key to list keys', async () => {
      const h = createHarness();

      await expect(h.cp.auth.listKeys(callerFactory({ role: 'user' }))).rejects.toMatchObject({ code: 'forbidden' });
    });

    it('rejects a malformed tenant name, naming the tenant', async () => {
      const h = createHarness();

      await expect(h.cp.auth.listKeys(operator, { tenant: 'Not A Tenant' })).rejects.toMatchObject({
        code: 'invalid_input',
        field: 'tenant',
      });
    });
  });

  describe('revoking keys', () => {
    it('stops a revoked key at once, though it was just authenticated', async () => {
      // Arrange
      const h = createHarness();
      const issued = await h.cp.auth.issue('acme', 'user');
      await h.cp.auth.authenticate(issued.key);

      // Act
      await h.cp.auth.revokeKey(acmeAdmin, issued.id);

      // Assert
      await expect(h.cp.auth.authenticate(issued.key)).rejects.toMatchObject({ code: 'unauthorized' });
      expect(await h.cp.auth.listKeys(acmeAdmin)).toEqual([]);
    });

    it("answers an admin revoking another tenant's key with not found, and the key keeps working", async () => {
      const h = createHarness();
      const issued = await h.cp.auth.issue('globex', 'user');

      const err = await errorOf(() => h.cp.auth.revokeKey(acmeAdmin, issued.id));

      expect(err).toMatchObject({ code: 'not_found' });
      expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'globex', role: 'user' });
    });

    it("lets an operator revoke any tenant's key", async () => {
      const h = createHarness();
      const issued = await h.cp.auth.issue('globex', 'admin');

      await h.cp.auth.revokeKey(operator, issued.id);

      await expect(h.cp.auth.authenticate(issued.key)).rejects.toMatchObject({ code: 'unauthorized' });
    });

    it('answers an unknown id with not found', async () => {
      const h = createHarness();

      await expect(h.cp.auth.revokeKey(operator, 'nope')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('forbids an admin to revoke an operator key of its own tenant', async () => {
      const h = createHarness();
      const issued = await h.cp.auth.issue('default', 'operator');

      const err = await errorOf(() => h.cp.auth.revokeKey(callerFactory({ tenant: 'default', role: 'admin' }), issued.id));

      expect(err).toMatchObject({ code: 'forbidden' });
      expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'default', role: 'operator' });
    });

    it('forbids a user key to revoke keys, even its own tenant’s', async () => {
      const h = createHarness();
      const issued = await h.cp.auth.issue('acme', 'user');

      await expect(h.cp.auth.revokeKey(callerFactory({ role: 'user' }), issued.id)).rejects.toMatchObject({ code: 'forbidden' });
      expect(await h.cp.auth.authenticate(issued.key)).toEqual({ tenant: 'acme', role: 'user' });
    });
  });
});
