import { describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../../lambdas/core';
import { NEGATIVE_TTL_MS } from '../../../lambdas/core/auth/authCache';
import type { ApiKeyRecord } from '../../../lambdas/core/model';
import { callerFactory } from '../../helpers/factories';
import { createHarness } from '../../helpers/memory/createHarness';
import { createMemoryStore } from '../../helpers/memory/createMemoryStore';

const TTL = 30_000;
const admin = callerFactory({ tenant: 'acme', role: 'admin' });

/** A harness whose key store counts its hash lookups (what the authorizer would read per request). */
const counted = () => {
  const store = createMemoryStore();
  const reads = vi.spyOn(store.apiKeys, 'get');
  const h = createHarness({ store, config: { authCacheTtlMs: TTL } });
  return { h, reads };
};

describe('the authentication cache', () => {
  it('authenticates a key again within the TTL without reading the store, and reads it after', async () => {
    // Arrange
    const { h, reads } = counted();
    const { key } = await h.cp.auth.issue('acme', 'user');

    // Act
    for (let i = 0; i < 5; i++) await h.cp.auth.authenticate(key);
    const readsWithin = reads.mock.calls.length;
    h.clock.advance(TTL);
    await h.cp.auth.authenticate(key);

    // Assert
    expect(readsWithin).toBe(1);
    expect(reads.mock.calls.length).toBe(2);
  });

  it('keeps a key revoked through another process working until its entry expires, then refuses it', async () => {
    // Another Lambda's revocation reaches this process only through the store.
    const { h } = counted();
    const issued = await h.cp.auth.issue('acme', 'user');
    await h.cp.auth.authenticate(issued.key);
    const record = await h.store.apiKeys.getById(issued.id);
    await h.store.apiKeys.delete(record!);

    h.clock.advance(TTL - 1);
    const justBefore = await h.cp.auth.authenticate(issued.key);
    h.clock.advance(1);

    expect(justBefore).toEqual({ tenant: 'acme', role: 'user' });
    await expect(h.cp.auth.authenticate(issued.key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('accepts a key created in this process at once, though it was refused a moment before', async () => {
    // Sequential ids make the next secret predictable, so the key can be tried before it exists.
    const { h } = counted();
    const next = `crn_${createHarness().ids.secret()}`;
    await expect(h.cp.auth.authenticate(next)).rejects.toMatchObject({ code: 'unauthorized' });

    const issued = await h.cp.auth.issue('acme', 'user');

    expect(issued.key).toBe(next);
    expect(await h.cp.auth.authenticate(next)).toEqual({ tenant: 'acme', role: 'user' });
  });

  it('remembers an unknown key for at most a second: one created by another process works after it', async () => {
    // Arrange
    const { h, reads } = counted();
    const key = 'crn_made-elsewhere';
    await expect(h.cp.auth.authenticate(key)).rejects.toMatchObject({ code: 'unauthorized' });
    await h.store.apiKeys.put({ id: 'k1', hash: hashApiKey(key), tenant: 'acme', role: 'user', createdAt: new Date(0).toISOString() });

    // Act
    const refusedWithin = await h.cp.auth.authenticate(key).catch((e: { code: string }) => e.code);
    h.clock.advance(NEGATIVE_TTL_MS);
    const after = await h.cp.auth.authenticate(key);

    // Assert
    expect(refusedWithin).toBe('unauthorized');
    expect(after).toEqual({ tenant: 'acme', role: 'user' });
    expect(reads.mock.calls.length).toBe(2);
  });

  it('does not put back a key revoked while its lookup was in flight', async () => {
    // Arrange: the first lookup reads the store before the revocation and answers after it.
    const { h } = counted();
    const issued = await h.cp.auth.issue('acme', 'user');
    const realGet = h.store.apiKeys.get.bind(h.store.apiKeys);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.spyOn(h.store.apiKeys, 'get').mockImplementationOnce(async (hash): Promise<ApiKeyRecord | undefined> => {
      const record = await realGet(hash);
      await gate;
      return record;
    });
    const inFlight = h.cp.auth.authenticate(issued.key);
    await Promise.resolve();

    // Act
    await h.cp.auth.revokeKey(admin, issued.id);
    release();
    await inFlight;

    // Assert
    await expect(h.cp.auth.authenticate(issued.key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('keeps at most a bounded number of entries, dropping the oldest first', async () => {
    const { createAuthCache } = await import('../../../lambdas/core/auth/authCache');
    const cache = createAuthCache({ ttlMs: TTL, now: () => 0, maxEntries: 2 });
    const caller = { tenant: 'acme', role: 'user' as const };

    cache.remember('a', caller, cache.ticket());
    cache.remember('b', caller, cache.ticket());
    cache.remember('c', caller, cache.ticket());

    expect(cache.lookup('a')).toEqual({ hit: false });
    expect(cache.lookup('b')).toEqual({ hit: true, caller });
    expect(cache.lookup('c')).toEqual({ hit: true, caller });
  });
});
