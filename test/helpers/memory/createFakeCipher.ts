import type { SecretCipher } from '../../../lambdas/core/ports';

/**
 * A reversible stand-in for encryption: the tenant is bound in, so decrypting under another tenant
 * fails like the real ciphers do; the plaintext never appears verbatim in the ciphertext.
 */
export const createFakeCipher = (): SecretCipher => ({
  encrypt: async (tenant, plaintext) => `fake.${Buffer.from(`${tenant}\u0000${plaintext}`).toString('base64url')}`,
  async decrypt(tenant, ciphertext) {
    const [tag, body] = ciphertext.split('.');
    const decoded = Buffer.from(body ?? '', 'base64url').toString();
    const at = decoded.indexOf('\u0000');
    if (tag !== 'fake' || decoded.slice(0, at) !== tenant) throw new Error('cannot decrypt');
    return decoded.slice(at + 1);
  },
});
