import { createHash } from 'node:crypto';
import type { CoreDeps } from '../deps';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../errors';
import type { ApiKeyRecord, ApiKeyRole, Caller } from '../model';
import type { IdentifiedApiKey } from '../ports';
import { createAuthCache } from './authCache';

/** Tenant names appear inside keys of the store, so they are kept to a safe alphabet. */
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Keys are stored only as this digest. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface IssuedKey {
  id: string;
  tenant: string;
  role: ApiKeyRole;
  createdAt: string;
  /** Shown once; only its hash is kept. */
  key: string;
}

/** A key as listings show it: never its secret nor its hash. */
export interface ApiKeySummary {
  id: string;
  tenant: string;
  role: ApiKeyRole;
  createdAt: string;
  lastFour?: string;
}

const summaryOf = (r: IdentifiedApiKey): ApiKeySummary => ({
  id: r.id,
  tenant: r.tenant,
  role: r.role,
  createdAt: r.createdAt,
  ...(r.lastFour !== undefined ? { lastFour: r.lastFour } : {}),
});

/** @throws ValidationError('tenant') for a name outside the safe alphabet. */
const checkTenant = (tenant: string): string => {
  if (typeof tenant !== 'string' || !TENANT.test(tenant)) {
    throw new ValidationError('tenant', 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit');
  }
  return tenant;
};

/**
 * The tenant whose keys `caller` manages: its own, or for an operator any tenant it names.
 * @throws ForbiddenError for a user key, or an admin naming another tenant (the message names `tenant`).
 */
const managedTenant = (caller: Caller, tenant: string | undefined, what: string): string => {
  if (caller.role === 'user') throw new ForbiddenError(`only an admin or operator key can ${what}`);
  if (tenant === undefined || tenant === caller.tenant) return caller.tenant;
  if (caller.role !== 'operator') throw new ForbiddenError(`tenant: an admin key can only ${what} of its own tenant`);
  return tenant;
};

/**
 * API keys: authentication (with a short per-process cache), creation, listing and revocation.
 *
 * A key authenticated once is trusted for `config.authCacheTtlMs` without reading the store. A key
 * revoked through this same control plane stops at once; revoked through another process (another
 * Lambda), it stops there when that process's entry expires. Unknown keys are remembered for at
 * most a second, and creating a key forgets that its hash was unknown.
 */
export const createAuth = ({ store, clock, ids, config }: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'config'>) => {
  const cache = createAuthCache({ ttlMs: config.authCacheTtlMs, now: () => clock.now() });

  const issue = async (tenant: string, role: ApiKeyRole): Promise<IssuedKey> => {
    checkTenant(tenant);
    const key = `crn_${ids.secret()}`;
    const record: IdentifiedApiKey = {
      id: ids.next(),
      hash: hashApiKey(key),
      tenant,
      role,
      createdAt: new Date(clock.now()).toISOString(),
      lastFour: key.slice(-4),
    };
    await store.apiKeys.put(record);
    cache.evict(record.hash);
    return { id: record.id, tenant, role, createdAt: record.createdAt, key };
  };

  return {
    /** Resolves a presented key to its caller. @throws UnauthorizedError */
    async authenticate(key: string | undefined): Promise<Caller> {
      if (!key) throw new UnauthorizedError();
      const hash = hashApiKey(key);
      const cached = cache.lookup(hash);
      if (cached.hit) {
        if (!cached.caller) throw new UnauthorizedError();
        return { ...cached.caller };
      }
      const ticket = cache.ticket();
      const record: ApiKeyRecord | undefined = await store.apiKeys.get(hash);
      const caller = record ? { tenant: record.tenant, role: record.role } : undefined;
      cache.remember(hash, caller, ticket);
      if (!caller) throw new UnauthorizedError();
      return { ...caller };
    },

    /**
     * Creates a key without a caller: the operator's bootstrap (the first key of a machine).
     * @throws ValidationError('tenant')
     */
    issue,

    /**
     * Makes the operator's saved bootstrap key an operator key with an id. Data directories from
     * before roles were scoped hold an `admin` key without an id there (then every admin could
     * manage every tenant); it becomes the `operator` it effectively was, keeping its secret.
     * @returns false when the store does not know the key (revoked, or a fresh store).
     */
    async adoptBootstrapKey(key: string): Promise<boolean> {
      const hash = hashApiKey(key);
      const record = await store.apiKeys.get(hash);
      if (!record) return false;
      if (record.id !== undefined && record.role === 'operator') return true;
      await store.apiKeys.put({ ...record, id: record.id ?? ids.next(), role: 'operator', lastFour: key.slice(-4) });
      cache.evict(hash);
      return true;
    },

    /**
     * An operator creates a key for any tenant; an admin for its own tenant, an admin or a user key.
     * @throws ValidationError('tenant'), ForbiddenError (naming `tenant` or `role`)
     */
    async createKey(caller: Caller, request: { tenant: string; role?: ApiKeyRole }): Promise<IssuedKey> {
      const tenant = managedTenant(caller, checkTenant(request.tenant), 'create keys');
      const role = request.role ?? 'user';
      if (role === 'operator' && caller.role !== 'operator')
        throw new ForbiddenError('role: only an operator key can create operator keys');
      return issue(tenant, role);
    },

    /**
     * The keys of the caller's tenant, or for an operator of the tenant it names; newest first.
     * @throws ValidationError('tenant'), ForbiddenError
     */
    async listKeys(caller: Caller, query: { tenant?: string } = {}): Promise<ApiKeySummary[]> {
      const tenant = managedTenant(caller, query.tenant === undefined ? undefined : checkTenant(query.tenant), 'list keys');
      return (await store.apiKeys.list(tenant)).map(summaryOf);
    },

    /**
     * Revokes a key by id; it stops authenticating in this process at once.
     * @throws NotFoundError for an unknown key or one of another tenant (unless the caller is an
     *   operator), ForbiddenError for a user key or an admin revoking an operator key.
     */
    async revokeKey(caller: Caller, id: string): Promise<void> {
      managedTenant(caller, undefined, 'revoke keys');
      const record = await store.apiKeys.getById(id);
      if (!record || (caller.role !== 'operator' && record.tenant !== caller.tenant)) throw new NotFoundError('key', id);
      if (record.role === 'operator' && caller.role !== 'operator')
        throw new ForbiddenError('only an operator key can revoke an operator key');
      await store.apiKeys.delete(record);
      cache.evict(record.hash);
    },
  };
};

export type Auth = ReturnType<typeof createAuth>;
