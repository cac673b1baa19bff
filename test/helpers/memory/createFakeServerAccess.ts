import { ValidationError } from '../../../lambdas/core/errors';
import type { ServerAccess } from '../../../lambdas/core/ports';

/** Accepts keys that look like PEM; `test` answers with a fixed fingerprint unless told to fail. */
export const createFakeServerAccess = (o: { fingerprint?: string; fail?: Error } = {}): ServerAccess => ({
  validateKey(privateKey) {
    if (!privateKey.includes('-----BEGIN')) throw new ValidationError('privateKey', 'is not a PEM private key');
    return privateKey;
  },
  async test() {
    if (o.fail) throw o.fail;
    return { fingerprint: o.fingerprint ?? 'SHA256:fake', latencyMs: 1, remoteUser: 'deploy' };
  },
});
