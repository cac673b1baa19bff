import type { ServerAccess } from '../../core';
import { validatePrivateKey } from './privateKey';
import type { SshExecutor } from './types';

/** The API's view of SSH: key validation (a 400 naming the field) and a one-off connection test. */
export const createSshServerAccess = (executor: Pick<SshExecutor, 'test'>): ServerAccess => ({
  validateKey(privateKey, passphrase) {
    validatePrivateKey({ privateKey, ...(passphrase !== undefined ? { passphrase } : {}) });
    return privateKey;
  },
  test: (server) => executor.test(server),
});
