import { createHash } from 'node:crypto';
// ssh2 is CommonJS: Node's ESM loader only sees its default export.
import ssh2, { type ParsedKey } from 'ssh2';
import { InvalidKeyError } from './errors';
import { fingerprintOf } from './hostKey';

/** A private key that ssh2 accepted, ready to log in with. */
export interface ValidPrivateKey {
  /** ssh2's parsed (and decrypted) key: connecting with it skips a second, slow decryption. */
  parsed: ParsedKey;
  /** Key type, e.g. `ssh-ed25519`. */
  type: string;
  /** `SHA256:…` of the public half: identifies the key without revealing it. */
  fingerprint: string;
}

const PemMarker = '-----BEGIN ';

/** The PEM text: as given, or decoded from base64 (a form that survives JSON and env vars). */
const toPem = (input: string): string | undefined => {
  const trimmed = input.trim();
  if (trimmed.startsWith(PemMarker)) return trimmed;
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(trimmed)) return undefined;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
  return decoded.startsWith(PemMarker) ? decoded : undefined;
};

/** Maps ssh2's parse errors to the field at fault; ssh2's own text is never passed on. */
const toInvalidKey = (err: Error, passphraseGiven: boolean): InvalidKeyError => {
  const m = err.message.toLowerCase();
  if (m.includes('no passphrase given')) {
    return new InvalidKeyError('passphrase', 'is required: the private key is encrypted');
  }
  if (passphraseGiven && (m.includes('passphrase') || m.includes('integrity check') || m.includes('decrypt'))) {
    return new InvalidKeyError('passphrase', 'does not decrypt the private key');
  }
  if (m.includes('unsupported key format')) {
    return new InvalidKeyError('privateKey', 'is not in a supported format (OpenSSH "BEGIN OPENSSH PRIVATE KEY", or PEM RSA / EC / DSA)');
  }
  return new InvalidKeyError('privateKey', 'cannot be parsed as a private key');
};

/**
 * Checks a private key (PEM, or base64 of PEM) and its passphrase the way the SSH client will
 * use them. Error messages name the field and never contain the key or the passphrase.
 * @throws InvalidKeyError (field `privateKey`: not PEM, unsupported, or a public key;
 *   field `passphrase`: missing for an encrypted key, or wrong).
 * @example
 * const key = validatePrivateKey({ privateKey: body.privateKey, passphrase: body.passphrase });
 * key.fingerprint; // 'SHA256:…' of the public half
 */
export const validatePrivateKey = (input: { privateKey: string; passphrase?: string }): ValidPrivateKey => {
  if (typeof input.privateKey !== 'string' || input.privateKey.trim() === '') {
    throw new InvalidKeyError('privateKey', 'is required');
  }
  const pem = toPem(input.privateKey);
  if (pem === undefined) {
    throw new InvalidKeyError('privateKey', 'must be a PEM private key ("-----BEGIN … PRIVATE KEY-----") or base64 of one');
  }
  const passphrase = input.passphrase === '' ? undefined : input.passphrase;
  const result = ssh2.utils.parseKey(pem, passphrase);
  if (result instanceof Error) throw toInvalidKey(result, passphrase !== undefined);
  const parsed = Array.isArray(result) ? (result[0] as ParsedKey | undefined) : result;
  if (!parsed) throw new InvalidKeyError('privateKey', 'holds no key');
  if (parsed.getPrivatePEM() === null || !parsed.isPrivateKey()) {
    throw new InvalidKeyError('privateKey', 'is a public key; the private key is needed');
  }
  return { parsed, type: parsed.type, fingerprint: fingerprintOf(parsed.getPublicSSH()) };
};

/**
 * validatePrivateKey with a small cache: decrypting an encrypted OpenSSH key takes a few
 * hundred ms (bcrypt), too slow to repeat for every run. Keyed by a hash, never the key itself.
 */
export const createPrivateKeyCache = (o: { maxEntries?: number } = {}) => {
  const maxEntries = o.maxEntries ?? 64;
  const cache = new Map<string, ValidPrivateKey>();
  return {
    /** @throws InvalidKeyError as validatePrivateKey does (failures are not cached). */
    get(input: { privateKey: string; passphrase?: string }): ValidPrivateKey {
      const id = createHash('sha256')
        .update(input.privateKey)
        .update('\0')
        .update(input.passphrase ?? '')
        .digest('base64');
      const hit = cache.get(id);
      if (hit) {
        cache.delete(id);
        cache.set(id, hit);
        return hit;
      }
      const key = validatePrivateKey(input);
      cache.set(id, key);
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      return key;
    },
  };
};
