import { pino } from 'pino';
import type { Logger } from '../../core';

/**
 * Fields never written, wherever a log call puts them: a second line of defence, as secrets are
 * kept out of log calls in the first place (docs/operate.md).
 */
const RedactedPaths = [
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  'privateKey',
  'passphrase',
  'token',
  'apiKey',
  'secret',
].flatMap((p) => [p, `*.${p}`]);

/** JSON logs to stderr; `err` objects are serialised with their cause chain. */
export const createPinoLogger = (o: { level?: string; name?: string } = {}): Logger & { level: string } =>
  pino(
    { level: o.level ?? 'info', name: o.name ?? 'cronium', redact: { paths: RedactedPaths, censor: '[redacted]' } },
    pino.destination(2),
  );
