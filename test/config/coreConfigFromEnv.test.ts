import { describe, expect, it } from 'vitest';
import { ConfigError, coreConfigFromEnv } from '../../lambdas/config/coreConfigFromEnv';
import { defaultCoreConfig } from '../../lambdas/core';

describe('coreConfigFromEnv', () => {
  it('uses the defaults when nothing is set', () => {
    expect(coreConfigFromEnv({})).toEqual(defaultCoreConfig);
  });

  it('reads the operator settings', () => {
    const config = coreConfigFromEnv({ CRONIUM_MAX_CONCURRENT: '2', CRONIUM_MAX_MEMORY_MB: '1024', CRONIUM_DEFAULT_CPU: '0.25' });

    expect(config.maxConcurrent).toBe(2);
    expect(config.maxResources.memoryMb).toBe(1024);
    expect(config.defaultResources.cpu).toBe(0.25);
  });

  it('names the variable that is wrong', () => {
    expect(() => coreConfigFromEnv({ CRONIUM_MAX_CONCURRENT: 'many' })).toThrow(ConfigError);
    expect(() => coreConfigFromEnv({ CRONIUM_MAX_CONCURRENT: '1.5' })).toThrow(/CRONIUM_MAX_CONCURRENT/);
  });
});
