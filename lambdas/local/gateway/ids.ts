import { randomBytes, randomUUID } from 'node:crypto';

/** Random bytes are drawn in blocks: one `randomBytes` call per request id costs more than the id is worth. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

const takeRandom = (n: number): Buffer => {
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
};

/** A REST request id (API Gateway uses UUIDs there). */
export const newRequestId = (): string => randomUUID();

/**
 * An opaque id shaped like API Gateway's WebSocket ids (`R1kmxc2VNjMCFIA=`): 11 random bytes as
 * 15 base64 characters plus padding. URL-safe letters, so it survives a path segment unencoded.
 */
export const newOpaqueId = (): string => `${takeRandom(11).toString('base64url')}=`;

/** A REST `resourceId`-like token. */
export const newResourceId = (): string => takeRandom(3).toString('hex');
