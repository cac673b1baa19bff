import type { CoreConfig } from '../../../lambdas/core/config';
import { defaultCoreConfig } from '../../../lambdas/core/config';
import type { CoreDeps } from '../../../lambdas/core/deps';
import type { IdGenerator } from '../../../lambdas/core/ports';
import { silentLogger } from '../../../lambdas/core/ports';
import type { FakeBroadcaster } from './createFakeBroadcaster';
import { createFakeBroadcaster } from './createFakeBroadcaster';
import type { FakeClock } from './createFakeClock';
import { createFakeClock } from './createFakeClock';
import type { FakeLauncher } from './createFakeLauncher';
import { createFakeLauncher } from './createFakeLauncher';
import type { MemoryQueue } from './createMemoryQueue';
import { createMemoryQueue } from './createMemoryQueue';
import type { MemoryStore } from './createMemoryStore';
import { createMemoryStore } from './createMemoryStore';
import { createSequentialIds } from './createSequentialIds';
import { createFakeCipher } from './createFakeCipher';
import { createFakeServerAccess } from './createFakeServerAccess';
import { createCronerMatcher } from '../../../lambdas/adapters/cron';

/** CoreDeps whose ports are in-memory fakes the test can inspect and steer. */
export interface TestDeps extends CoreDeps {
  store: MemoryStore;
  queue: MemoryQueue;
  launcher: FakeLauncher;
  broadcaster: FakeBroadcaster;
  clock: FakeClock;
  ids: IdGenerator;
}

export type TestDepsOverrides = Partial<Omit<TestDeps, 'config'>> & { config?: Partial<CoreConfig> };

/**
 * Fresh fakes for every port and `defaultCoreConfig`, with any of them replaced.
 * @example
 * const deps = createTestDeps({ config: { maxLogBytes: 64 } });
 */
export const createTestDeps = (overrides: TestDepsOverrides = {}): TestDeps => {
  const { config, ...ports } = overrides;
  return {
    store: createMemoryStore(),
    queue: createMemoryQueue(),
    launcher: createFakeLauncher(),
    broadcaster: createFakeBroadcaster(),
    clock: createFakeClock(),
    ids: createSequentialIds('job'),
    logger: silentLogger,
    cipher: createFakeCipher(),
    serverAccess: createFakeServerAccess(),
    cron: createCronerMatcher(),
    ...ports,
    config: { ...defaultCoreConfig, ...config },
  };
};
