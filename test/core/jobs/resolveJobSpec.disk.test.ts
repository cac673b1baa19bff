import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../helpers/thrownBy';
import { coreConfigFromEnv } from '../../../lambdas/config/coreConfigFromEnv';
import { defaultCoreConfig } from '../../../lambdas/core';
import { ValidationError } from '../../../lambdas/core/errors';
import { resolveJobSpec } from '../../../lambdas/core/jobs/resolveJobSpec';

describe('resources.diskMb', () => {
  it('defaults a job to the configured workspace size', () => {
    // Act
    const spec = resolveJobSpec({ runtime: 'bash', script: 'true' }, defaultCoreConfig);

    // Assert
    expect(spec.resources.diskMb).toBe(64);
  });

  it('takes the size a job asks for up to the maximum, and refuses more naming the field', () => {
    // Arrange
    const config = coreConfigFromEnv({ CRONIUM_DEFAULT_DISK_MB: '8', CRONIUM_MAX_DISK_MB: '32' });

    // Act
    const fits = resolveJobSpec({ runtime: 'bash', script: 'true', resources: { diskMb: 32 } }, config);
    const tooBig = thrownBy(() => resolveJobSpec({ runtime: 'bash', script: 'true', resources: { diskMb: 33 } }, config));

    // Assert
    expect(resolveJobSpec({ runtime: 'bash', script: 'true' }, config).resources.diskMb).toBe(8);
    expect(fits.resources.diskMb).toBe(32);
    expect(tooBig).toBeInstanceOf(ValidationError);
    expect((tooBig as ValidationError).field).toBe('resources.diskMb');
  });
});
