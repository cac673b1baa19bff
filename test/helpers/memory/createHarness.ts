import type { ControlPlane } from '../../../lambdas/core/createControlPlane';
import { createControlPlane } from '../../../lambdas/core/createControlPlane';
import type { JobSpecRequest } from '../../../lambdas/core/jobs/resolveJobSpec';
import type { Caller, Job, JobKey } from '../../../lambdas/core/model';
import { callerFactory } from '../factories';
import type { TestDeps, TestDepsOverrides } from './createTestDeps';
import { createTestDeps } from './createTestDeps';

export interface Harness extends TestDeps {
  cp: ControlPlane;
  /** Submits a bash job (or `request`) for `caller` (default tenant `acme`). */
  submit(caller?: Caller, request?: Partial<JobSpecRequest>): Promise<Job>;
  /** Submits and dispatches a job, which must launch; returns it as stored (running). */
  launch(caller?: Caller, request?: Partial<JobSpecRequest>): Promise<Job>;
  /** Registers a WebSocket connection for `caller`. */
  connect(connectionId: string, caller?: Caller): Promise<void>;
  /** The job as stored. */
  stored(key: JobKey | Job): Promise<Job>;
}

/**
 * The error `act` raised, whether it threw at once or returned a rejected promise.
 * @throws when it raised nothing.
 */
export const errorOf = async (act: () => unknown): Promise<unknown> => {
  try {
    await act();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, but the call succeeded');
};

export const keyOf = (job: Job): JobKey => ({ tenant: job.tenant, jobId: job.id });

/** The control plane over fresh in-memory fakes, with shortcuts for the usual arrangements. */
export const createHarness = (overrides: TestDepsOverrides = {}): Harness => {
  const deps = createTestDeps(overrides);
  const cp = createControlPlane(deps);

  const submit = async (caller = callerFactory(), request: Partial<JobSpecRequest> = {}) =>
    cp.jobs.submit(caller, { runtime: 'bash', script: 'echo hello', ...request });

  const stored = async (k: JobKey | Job): Promise<Job> => {
    const key = 'id' in k ? keyOf(k) : k;
    const job = await deps.store.jobs.get(key);
    if (!job) throw new Error(`test setup: job ${key.jobId} is not stored`);
    return job;
  };

  return {
    ...deps,
    cp,
    submit,
    async launch(caller, request) {
      const job = await submit(caller, request);
      const outcome = await cp.dispatch(keyOf(job));
      if (outcome !== 'launched') throw new Error(`test setup: dispatch of ${job.id} was ${outcome}`);
      return stored(job);
    },
    connect: (connectionId, caller = callerFactory()) => cp.connections.connect(caller, connectionId),
    stored,
  };
};
