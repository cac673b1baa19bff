import { createHmac } from 'node:crypto';

/** Headers of a signed webhook. */
export const SignatureHeaders = { signature: 'X-Cronium-Signature', timestamp: 'X-Cronium-Timestamp' } as const;

/**
 * The signature receivers check: `sha256=` and the hex HMAC-SHA256, keyed with the tenant's signing
 * secret, of `<timestamp>.<body>` (timestamp in epoch seconds, as sent in X-Cronium-Timestamp), so a
 * captured request cannot be replayed with another time.
 */
export const signWebhook = (secret: string, timestamp: number, body: Buffer | string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
