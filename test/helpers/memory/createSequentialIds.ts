import type { IdGenerator } from '../../../lambdas/core/ports';

/**
 * Ids `<prefix>00000001`, `<prefix>00000002`, …: they sort in the order they were made, like the
 * real time-sortable ids. Secrets are distinct and long enough to look like keys.
 */
export const createSequentialIds = (prefix = 'id'): IdGenerator => {
  let n = 0;
  let s = 0;
  return {
    next: () => `${prefix}${String(++n).padStart(8, '0')}`,
    secret: () => `secret${String(++s).padStart(26, '0')}`,
  };
};
