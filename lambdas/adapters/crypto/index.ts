export { createLocalCipher, loadOrCreateLocalCipher } from './createLocalCipher';
export type { LocalCipherFileOptions, LocalCipherOptions } from './createLocalCipher';
export { createKmsCipher } from './createKmsCipher';
export type { KmsCipherOptions } from './createKmsCipher';
export { LOCAL_KEY_BYTES, loadOrCreateLocalKey, localKeyPath } from './localKeyFile';
export { MAX_SECRET_BYTES } from './encoding';
export { CipherError, DecryptError, DecryptFailures, LocalKeyError, SecretSizeError } from './errors';
export type { DecryptFailure } from './errors';
