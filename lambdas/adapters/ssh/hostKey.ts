import { createHash } from 'node:crypto';

/**
 * The `SHA256:…` fingerprint of a key in SSH wire format, exactly as `ssh-keygen -lf` prints
 * it: base64 of the SHA-256 digest, without `=` padding.
 */
export const fingerprintOf = (sshKey: Buffer): string =>
  `SHA256:${createHash('sha256').update(sshKey).digest('base64').replace(/=+$/, '')}`;

/** A fingerprint as users paste it: `SHA256:` prefix optional, padding and spaces ignored. */
export const normalizeFingerprint = (fp: string): string => {
  const body = fp
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
  return `SHA256:${body}`;
};

/** What a host key check decided, recorded by the verifier for the caller to act on. */
export interface HostKeyCheck {
  /** The fingerprint the server presented (set once the handshake reached the check). */
  seen?: string;
  /** The pinned fingerprint it was checked against, when there is one. */
  expected?: string;
  /** True when a pinned fingerprint did not match. */
  mismatch: boolean;
}

/**
 * An ssh2 `hostVerifier` that accepts the server's key when it matches `pinned` (or always,
 * with no pin: trust on first use), recording what it saw in the returned `check`.
 */
export const createHostVerifier = (pinned: string | undefined) => {
  const expected = pinned === undefined || pinned.trim() === '' ? undefined : normalizeFingerprint(pinned);
  const check: HostKeyCheck = { expected, mismatch: false };
  const verify = (key: Buffer): boolean => {
    check.seen = fingerprintOf(key);
    check.mismatch = expected !== undefined && check.seen !== expected;
    return !check.mismatch;
  };
  return { verify, check };
};
