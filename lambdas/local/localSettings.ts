import { join, resolve } from 'node:path';
import type { Env } from '../config/coreConfigFromEnv';
import { ConfigError, numberFromEnv } from '../config/coreConfigFromEnv';

/** Settings of the one-machine runtime, from `CRONIUM_*` variables. */
export interface LocalSettings {
  dataDir: string;
  host: string;
  port: number;
  /** Prefix of the runtime images: `<prefix>/python:latest` … */
  imagePrefix: string;
  /** How often the reaper looks for lost or overdue jobs. */
  reapIntervalMs: number;
  /** Receives of one message before the dead-letter queue takes it. */
  maxReceiveCount: number;
  logLevel: string;
  /** The built web console served at `/` (`CRONIUM_CONSOLE_DIR`, default the repository's `console/dist`). */
  consoleDir: string;
}

/** @throws ConfigError naming a variable that is wrong. */
export const localSettingsFromEnv = (env: Env): LocalSettings => {
  // 0 asks the OS for a free port (tests, several instances side by side).
  const port = env['CRONIUM_PORT'] === '0' ? 0 : numberFromEnv(env, 'CRONIUM_PORT', 8080, { integer: true });
  if (port > 65535) throw new ConfigError('CRONIUM_PORT', `not a port: ${port}`);
  return {
    dataDir: resolve(env['CRONIUM_DATA_DIR'] || '.cronium'),
    host: env['CRONIUM_HOST'] || '127.0.0.1',
    port,
    imagePrefix: env['CRONIUM_IMAGE_PREFIX'] || 'cronium',
    reapIntervalMs: numberFromEnv(env, 'CRONIUM_REAP_INTERVAL_MS', 30_000, { integer: true }),
    maxReceiveCount: numberFromEnv(env, 'CRONIUM_MAX_RECEIVE_COUNT', 5, { integer: true }),
    logLevel: env['LOG_LEVEL'] || 'info',
    consoleDir: resolve(env['CRONIUM_CONSOLE_DIR'] || join(import.meta.dirname, '../../console/dist')),
  };
};
