import { randomBytes, randomUUID } from 'node:crypto';

/** A REST request id (API Gateway uses UUIDs there). */
export const newRequestId = (): string => randomUUID();

/**
 * An opaque id shaped like API Gateway's WebSocket ids (`R1kmxc2VNjMCFIA=`): 11 random bytes as
 * 15 base64 characters plus padding. URL-safe letters, so it survives a path segment unencoded.
 */
export const newOpaqueId = (): string => `${randomBytes(11).toString('base64url')}=`;

/** A REST `resourceId`-like token. */
export const newResourceId = (): string => randomBytes(3).toString('hex');
