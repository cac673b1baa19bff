import type { CoreConfig } from '../core';
import { ControlPlaneError, defaultCoreConfig, ErrorCodes } from '../core';

/** An operator setting that cannot be used; raised at start-up, never per request. */
export class ConfigError extends ControlPlaneError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(ErrorCodes.invalidInput, `${variable}: ${message}`);
  }
}

export type Env = Record<string, string | undefined>;

/** A positive number from the environment, or the fallback. @throws ConfigError */
export const numberFromEnv = (env: Env, name: string, fallback: number, opts: { integer?: boolean } = {}): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (opts.integer && !Number.isInteger(value))) {
    throw new ConfigError(name, `expected a positive ${opts.integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
};

/**
 * The core's settings from `CRONIUM_*` variables, the same on every runtime.
 * @throws ConfigError naming the variable that is wrong.
 */
export const coreConfigFromEnv = (env: Env): CoreConfig => {
  const d = defaultCoreConfig;
  const int = (name: string, fallback: number) => numberFromEnv(env, name, fallback, { integer: true });
  return {
    ...d,
    maxConcurrent: int('CRONIUM_MAX_CONCURRENT', d.maxConcurrent),
    defaultTimeoutSeconds: int('CRONIUM_DEFAULT_TIMEOUT_SECONDS', d.defaultTimeoutSeconds),
    maxTimeoutSeconds: int('CRONIUM_MAX_TIMEOUT_SECONDS', d.maxTimeoutSeconds),
    maxLogBytes: int('CRONIUM_MAX_LOG_BYTES', d.maxLogBytes),
    authCacheTtlMs: int('CRONIUM_AUTH_CACHE_MS', d.authCacheTtlMs),
    maxQueuedPerTenant: int('CRONIUM_MAX_QUEUED_PER_TENANT', d.maxQueuedPerTenant),
    defaultResources: {
      cpu: numberFromEnv(env, 'CRONIUM_DEFAULT_CPU', d.defaultResources.cpu),
      memoryMb: int('CRONIUM_DEFAULT_MEMORY_MB', d.defaultResources.memoryMb),
      pids: int('CRONIUM_DEFAULT_PIDS', d.defaultResources.pids),
      diskMb: int('CRONIUM_DEFAULT_DISK_MB', d.defaultResources.diskMb ?? 64),
    },
    ...(env['CRONIUM_RUNNER_TIMEOUT_SECONDS'] ? { runnerTimeoutSeconds: int('CRONIUM_RUNNER_TIMEOUT_SECONDS', 1) } : {}),
    ...(env['CRONIUM_SSH_TARGETS'] === 'off' ? { sshTargets: false } : {}),
    maxResources: {
      cpu: numberFromEnv(env, 'CRONIUM_MAX_CPU', d.maxResources.cpu),
      memoryMb: int('CRONIUM_MAX_MEMORY_MB', d.maxResources.memoryMb),
      pids: int('CRONIUM_MAX_PIDS', d.maxResources.pids),
      diskMb: int('CRONIUM_MAX_DISK_MB', d.maxResources.diskMb ?? 1024),
    },
  };
};
