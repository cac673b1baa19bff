import { createHash } from 'node:crypto';
import type { CoreDeps } from '../deps';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors';
import type { ApiKeyRole, Caller } from '../model';

/** Tenant names appear inside keys of the store, so they are kept to a safe alphabet. */
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Keys are stored only as this digest. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface IssuedKey {
  tenant: string;
  role: ApiKeyRole;
  /** Shown once; only its hash is kept. */
  key: string;
}

export const createAuth = ({ store, clock, ids }: Pick<CoreDeps, 'store' | 'clock' | 'ids'>) => {
  const issue = async (tenant: string, role: ApiKeyRole): Promise<IssuedKey> => {
    if (!TENANT.test(tenant)) {
      throw new ValidationError('tenant', 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit');
    }
    const key = `crn_${ids.secret()}`;
    await store.apiKeys.put({ hash: hashApiKey(key), tenant, role, createdAt: new Date(clock.now()).toISOString() });
    return { tenant, role, key };
  };

  return {
    /** Resolves a presented key to its caller. @throws UnauthorizedError */
    async authenticate(key: string | undefined): Promise<Caller> {
      if (!key) throw new UnauthorizedError();
      const record = await store.apiKeys.get(hashApiKey(key));
      if (!record) throw new UnauthorizedError();
      return { tenant: record.tenant, role: record.role };
    },

    /** Creates a key without a caller: for bootstrapping the first admin key. */
    issue,

    /** An admin creates a key for any tenant. @throws ForbiddenError, ValidationError */
    async createKey(caller: Caller, request: { tenant: string; role?: ApiKeyRole }): Promise<IssuedKey> {
      if (caller.role !== 'admin') throw new ForbiddenError('only an admin key can create keys');
      return issue(request.tenant, request.role ?? 'user');
    },
  };
};

export type Auth = ReturnType<typeof createAuth>;
