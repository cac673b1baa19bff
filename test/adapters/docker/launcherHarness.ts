import { randomUUID } from 'node:crypto';
import {
  createDockerLauncher,
  type DockerLauncher,
  type DockerLauncherOptions,
  ExecutionFollowError,
} from '../../../lambdas/adapters/docker';
import { createBackoffRetry } from '../../../lambdas/adapters/system';
import { withReportRetry } from '../../../lambdas/core';
import type { Job, Logger, Runtime } from '../../../lambdas/core';
import { containersLeftAfter, removeContainersOf } from './dockerProbe';
import { createFakeExecutionEvents } from './fakeExecutionEvents';
import { jobFactory } from './jobFactory';
import { requestFactory, type RequestOverrides } from './requestFactory';

/**
 * Launchers and jobs for one test file: remembers every job id and launcher so that
 * `cleanup` can close them and remove whatever containers a failed test left behind.
 */
export const createLauncherHarness = () => {
  const jobIds: string[] = [];
  const launchers: DockerLauncher[] = [];
  const errors: ExecutionFollowError[] = [];
  // Our own instance label: a control plane started by another test on this engine must not
  // see (and reap as orphans) the containers of these tests, nor these tests its containers.
  const instance = `docker-test-${randomUUID().slice(0, 8)}`;

  const job = (o: Partial<Job> & { runtime: Runtime }): Job => {
    const j = jobFactory(o);
    jobIds.push(j.id);
    return j;
  };

  const logger: Logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (obj) => {
      const { err } = obj as { err?: unknown };
      if (err instanceof ExecutionFollowError) errors.push(err);
    },
  };

  // Launchers report through the core's report path, as in a composition root (with short delays).
  const launcher = (o: Partial<DockerLauncherOptions> & Pick<DockerLauncherOptions, 'events'>): DockerLauncher => {
    const events = withReportRetry(o.events, { retry: createBackoffRetry({ retries: 3, initialDelayMs: 20, maxDelayMs: 100 }), logger });
    const l = createDockerLauncher({ logger, instance, ...o, events });
    launchers.push(l);
    return l;
  };

  /** A fake, a launcher reporting to it, and a helper running a job to its exit. */
  const setup = (fakeOptions?: Parameters<typeof createFakeExecutionEvents>[0], launcherOptions?: Partial<DockerLauncherOptions>) => {
    const fake = createFakeExecutionEvents(fakeOptions);
    const l = launcher({ ...launcherOptions, events: fake.events });
    const run = async (j: Job, request?: RequestOverrides) => {
      const ref = await l.create(requestFactory(j, request));
      await l.start(ref, j);
      const exit = await fake.waitForExit(j.id);
      return { ref, exit: exit.report };
    };
    return { fake, launcher: l, run };
  };

  return {
    job,
    launcher,
    setup,
    errors,
    /** Containers of the given jobs still present after a grace period for the follower's removal. */
    containersLeft: (ids: string[]) => containersLeftAfter(ids),
    async cleanup() {
      await Promise.all(launchers.splice(0).map((l) => l.close()));
      await removeContainersOf(jobIds.splice(0));
      errors.length = 0;
    },
  };
};
