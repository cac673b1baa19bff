import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../core';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

const base32 = (value: bigint, length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
};

/**
 * ULID-shaped ids (48-bit milliseconds + 80 random bits, Crockford base32, lower case), so ids sort
 * by creation time. Within one millisecond the random part is incremented, keeping them strictly ordered.
 */
export const createIdGenerator = (o: { now?: () => number } = {}): IdGenerator => {
  const now = o.now ?? Date.now;
  let lastMs = -1;
  let lastRandom = 0n;
  return {
    next() {
      const ms = now();
      if (ms === lastMs) lastRandom = (lastRandom + 1n) & ((1n << 80n) - 1n);
      else lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`);
      lastMs = ms;
      return base32(BigInt(ms), 10) + base32(lastRandom, 16);
    },
    secret: () => randomBytes(32).toString('base64url'),
  };
};
