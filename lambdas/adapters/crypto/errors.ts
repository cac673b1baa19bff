import { ControlPlaneError, ErrorCodes, ValidationError } from '../../core';

/** Why a ciphertext could not be decrypted. */
export const DecryptFailures = {
  /** Not a ciphertext this cipher writes: wrong format or version, bad encoding, wrong lengths. */
  malformed: 'malformed',
  /** Well formed, but it was altered, belongs to another tenant, or was made with another key. */
  rejected: 'rejected',
} as const;
export type DecryptFailure = (typeof DecryptFailures)[keyof typeof DecryptFailures];

const decryptMessages: Record<DecryptFailure, string> = {
  malformed: 'the ciphertext is malformed or of an unknown format',
  rejected: 'the ciphertext was altered, belongs to another tenant, or was made with another key',
};

/**
 * A stored secret could not be decrypted. The message names the tenant and the reason only:
 * never the plaintext, the ciphertext or key material.
 */
export class DecryptError extends ControlPlaneError {
  constructor(
    readonly tenant: string,
    readonly reason: DecryptFailure,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `cannot decrypt a secret of tenant ${tenant}: ${decryptMessages[reason]}`, opts);
  }
}

/**
 * A secret value outside what the ciphers accept: 1 to `limitBytes` (4096) bytes of UTF-8, the
 * limit of KMS `Encrypt`. The local cipher enforces it too, so a secret that can be stored on one
 * machine can also be stored on AWS. A ValidationError on field `value`: the caller gets a 400.
 */
export class SecretSizeError extends ValidationError {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super('value', `a secret value must be 1 to ${limitBytes} bytes once encoded as UTF-8 (the KMS limit); this one is ${sizeBytes}`);
  }
}

/** The local key file (or a key given directly) cannot be used: insecure permissions, wrong size, unreadable. */
export class LocalKeyError extends ControlPlaneError {
  constructor(
    readonly reason: string,
    readonly path?: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, path ? `secret key file ${path}: ${reason}` : `secret key: ${reason}`, opts);
  }
}

/** A KMS call failed for a reason that says nothing about the ciphertext (access denied, throttling, network); the SDK error is the `cause`. */
export class CipherError extends ControlPlaneError {
  constructor(
    readonly operation: 'encrypt' | 'decrypt',
    readonly keyId: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `kms ${operation} with key ${keyId} failed`, opts);
  }
}
