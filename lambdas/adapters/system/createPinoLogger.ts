import { pino } from 'pino';
import type { Logger } from '../../core';

/** JSON logs to stderr; `err` objects are serialised with their cause chain. */
export const createPinoLogger = (o: { level?: string; name?: string } = {}): Logger & { level: string } =>
  pino({ level: o.level ?? 'info', name: o.name ?? 'cronium' }, pino.destination(2));
