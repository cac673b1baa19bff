import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { SecretCipher } from '../../core';
import { decodeCanonical, secretBytes } from './encoding';
import { DecryptError, DecryptFailures, LocalKeyError } from './errors';
import { LOCAL_KEY_BYTES, loadOrCreateLocalKey, localKeyPath } from './localKeyFile';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
/** GCM's native IV size; random per message, which NIST SP 800-38D allows for up to 2^32 messages per key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Options of {@link createLocalCipher}. */
export interface LocalCipherOptions {
  /** The 32-byte AES-256 key; copied, so the caller may zero its buffer afterwards. */
  key: Uint8Array;
}

/** The tenant as additional authenticated data: a ciphertext copied to another tenant fails its tag check. */
const aad = (tenant: string) => Buffer.from(tenant, 'utf8');

/**
 * A {@link SecretCipher} with a local key: AES-256-GCM, a random 12-byte IV per message and the
 * tenant bound in as additional authenticated data. Ciphertexts are `v1.<base64url iv>.<base64url
 * ciphertext+tag>`; the version prefix leaves room for another algorithm or key later.
 *
 * `encrypt` throws SecretSizeError for an empty plaintext or one over 4096 bytes (the KMS limit, so
 * both runtimes accept the same secrets). `decrypt` throws DecryptError when the text is not a v1
 * ciphertext (`malformed`), or was altered, belongs to another tenant or was made with another key
 * (`rejected`).
 * @throws LocalKeyError when the key is not 32 bytes.
 * @example
 * const cipher = createLocalCipher({ key: randomBytes(32) });
 * const stored = await cipher.encrypt('acme', '"s3cret"');
 */
export function createLocalCipher(o: LocalCipherOptions): SecretCipher {
  if (o.key.length !== LOCAL_KEY_BYTES) throw new LocalKeyError(`must be ${LOCAL_KEY_BYTES} bytes, not ${o.key.length}`);
  const key: KeyObject = createSecretKey(Buffer.from(o.key));

  return {
    async encrypt(tenant, plaintext) {
      const bytes = secretBytes(plaintext);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(tenant));
      const body = Buffer.concat([cipher.update(bytes), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },

    async decrypt(tenant, ciphertext) {
      // Stored data is not trusted to be a string: anything else is malformed, not a TypeError.
      const [version, ivText, bodyText, ...rest] = typeof ciphertext === 'string' ? ciphertext.split('.') : [];
      const iv = ivText === undefined ? undefined : decodeCanonical(ivText, 'base64url');
      const body = bodyText === undefined ? undefined : decodeCanonical(bodyText, 'base64url');
      if (version !== VERSION || rest.length > 0 || iv?.length !== IV_BYTES || !body || body.length <= TAG_BYTES) {
        throw new DecryptError(tenant, DecryptFailures.malformed);
      }
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(tenant));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
        return plain.toString('utf8');
      } catch (e) {
        // OpenSSL's "unable to authenticate data": it carries no key or plaintext.
        throw new DecryptError(tenant, DecryptFailures.rejected, { cause: e });
      }
    },
  };
}

/** Options of {@link loadOrCreateLocalCipher}. */
export interface LocalCipherFileOptions {
  /** The local runtime's data directory; the key lives in `<dataDir>/secret.key`. */
  dataDir: string;
}

/**
 * The local runtime's cipher: {@link createLocalCipher} with the key in `<dataDir>/secret.key`,
 * which is created (32 random bytes, mode 0600) on first use and reused after. Losing the file
 * loses every stored secret; back it up with the data directory.
 * @throws LocalKeyError when the key file is open to group or others, is not 32 bytes, or cannot be read or created.
 * @example const cipher = await loadOrCreateLocalCipher({ dataDir: settings.dataDir });
 */
export async function loadOrCreateLocalCipher(o: LocalCipherFileOptions): Promise<SecretCipher> {
  const key = await loadOrCreateLocalKey(localKeyPath(o.dataDir));
  try {
    return createLocalCipher({ key });
  } finally {
    key.fill(0);
  }
}
