import { SecretSizeError } from './errors';

/** KMS `Encrypt` takes at most 4096 bytes of plaintext; both ciphers hold secrets to it. */
export const MAX_SECRET_BYTES = 4096;

/**
 * The plaintext as UTF-8 bytes, within the size both ciphers accept.
 * @throws SecretSizeError when it is empty or larger than {@link MAX_SECRET_BYTES}.
 */
export function secretBytes(plaintext: string): Buffer {
  const bytes = Buffer.from(plaintext, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_SECRET_BYTES) throw new SecretSizeError(bytes.length, MAX_SECRET_BYTES);
  return bytes;
}

const alphabets = { base64: /^[A-Za-z0-9+/]+={0,2}$/, base64url: /^[A-Za-z0-9_-]+$/ } as const;

/**
 * The bytes of canonical base64 / base64url text, or undefined for anything else. Node's decoder
 * skips stray characters and ignores spare bits; requiring that re-encoding gives the same text
 * means no two strings decode to one ciphertext, so any edit of a stored value is detected.
 */
export function decodeCanonical(text: string, encoding: keyof typeof alphabets): Buffer | undefined {
  if (!alphabets[encoding].test(text)) return undefined;
  const bytes = Buffer.from(text, encoding);
  return bytes.toString(encoding) === text ? bytes : undefined;
}
