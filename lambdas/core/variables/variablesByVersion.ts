import type { Variable } from '../model';

/** Tenants whose list is kept; past it the one used longest ago goes. */
const MAX_TENANTS = 256;

/**
 * The last variables list read per tenant, under the version (QueuedAdmission) of the job it was
 * read for. A job submitted under that same version may use it: the list was read after the
 * submission saw the version, and a variable write moves the version on only once it is written,
 * so the list holds every change up to it (and perhaps later ones). Ciphertexts stay ciphertexts.
 */
export const createVariablesByVersion = () => {
  const lists = new Map<string, { version: number; variables: Variable[] }>();
  return {
    get(tenant: string, version: number): Variable[] | undefined {
      const kept = lists.get(tenant);
      if (kept?.version !== version) return undefined;
      lists.delete(tenant);
      lists.set(tenant, kept);
      return kept.variables;
    },
    keep(tenant: string, version: number, variables: Variable[]): void {
      lists.delete(tenant);
      lists.set(tenant, { version, variables });
      if (lists.size > MAX_TENANTS) lists.delete(lists.keys().next().value as string);
    },
  };
};
