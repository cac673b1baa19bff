import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SecretCipher } from '../../core';
import { decodeCanonical, secretBytes } from './encoding';
import { CipherError, DecryptError, DecryptFailures } from './errors';

const PREFIX = 'kms1.';

/** Options of {@link createKmsCipher}. */
export interface KmsCipherOptions {
  /** A ready client (region, credentials and endpoint already set). */
  client: KMSClient;
  /** The symmetric KMS key: id, ARN, alias name or alias ARN. Also sent on Decrypt, so a blob of another key is refused. */
  keyId: string;
}

/**
 * KMS's answers to a ciphertext that is not for this request: altered or unknown
 * (`InvalidCiphertextException`, which is also what a different encryption context, i.e. another
 * tenant, gets), or made with another key than `keyId` (`IncorrectKeyException`).
 */
const rejectedByKms = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
const nameOf = (e: unknown) => (e instanceof Error ? e.name : undefined);

/**
 * A {@link SecretCipher} on AWS KMS: secrets are small (at most 4096 bytes, the `Encrypt` limit),
 * so each is encrypted by KMS itself, without data keys. The tenant is the encryption context, so a
 * ciphertext copied to another tenant does not decrypt, and CloudTrail shows the tenant of each use.
 * Ciphertexts are `kms1.<base64 CiphertextBlob>`.
 *
 * `encrypt` throws SecretSizeError for an empty plaintext or one over 4096 bytes. `decrypt` throws
 * DecryptError when the text is not a kms1 ciphertext (`malformed`) or KMS refuses it as altered,
 * another tenant's or another key's (`rejected`). Every other failure (access denied, a disabled
 * key, throttling, network) is a CipherError with the SDK error as `cause`.
 * @example
 * const cipher = createKmsCipher({ client: new KMSClient({}), keyId: 'alias/cronium-secrets' });
 * const stored = await cipher.encrypt('acme', '"s3cret"');
 */
export const createKmsCipher = ({ client, keyId }: KmsCipherOptions): SecretCipher => ({
  async encrypt(tenant, plaintext) {
    const bytes = secretBytes(plaintext);
    let blob: Uint8Array | undefined;
    try {
      const res = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes, EncryptionContext: { tenant } }));
      blob = res.CiphertextBlob;
    } catch (e) {
      throw new CipherError('encrypt', keyId, { cause: e });
    }
    if (!blob || blob.length === 0) throw new CipherError('encrypt', keyId, { cause: new Error('KMS returned no CiphertextBlob') });
    return `${PREFIX}${Buffer.from(blob).toString('base64')}`;
  },

  async decrypt(tenant, ciphertext) {
    const blob =
      typeof ciphertext === 'string' && ciphertext.startsWith(PREFIX)
        ? decodeCanonical(ciphertext.slice(PREFIX.length), 'base64')
        : undefined;
    if (!blob) throw new DecryptError(tenant, DecryptFailures.malformed);
    let plain: Uint8Array | undefined;
    try {
      const res = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: blob, EncryptionContext: { tenant } }));
      plain = res.Plaintext;
    } catch (e) {
      const name = nameOf(e);
      if (name && rejectedByKms.has(name)) throw new DecryptError(tenant, DecryptFailures.rejected, { cause: e });
      throw new CipherError('decrypt', keyId, { cause: e });
    }
    if (!plain) throw new CipherError('decrypt', keyId, { cause: new Error('KMS returned no Plaintext') });
    return Buffer.from(plain).toString('utf8');
  },
});
