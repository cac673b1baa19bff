import { describe, expect, it } from 'vitest';
import { createBackoffRetry } from '../../../lambdas/adapters/system';
import { ConflictError, createControlPlane, createExecutionReports, NotFoundError } from '../../../lambdas/core';
import type { JobKey, Logger } from '../../../lambdas/core';
import { callerFactory, rawLinesFactory } from '../../helpers/factories';
import { createTestDeps } from '../../helpers/memory/createTestDeps';

const acme = callerFactory();
const ok = { exitCode: 0, oomKilled: false, timedOut: false };
const fastRetry = createBackoffRetry({ retries: 3, initialDelayMs: 1, maxDelayMs: 5 });

const recordingLogger = () => {
  const errors: Record<string, unknown>[] = [];
  const logger: Logger = { info: () => undefined, warn: () => undefined, error: (obj) => errors.push(obj as Record<string, unknown>) };
  return { logger, errors };
};

/** Reports built before the launcher, and a control plane given the same reports, as a composition root does. */
const setup = () => {
  const { logger, errors } = recordingLogger();
  const { launcher, ...deps } = createTestDeps({ logger });
  const reports = createExecutionReports({ ...deps, retry: fastRetry });
  const cp = createControlPlane({ ...deps, launcher }, { reports });
  const launch = async (): Promise<JobKey> => {
    const job = await cp.jobs.submit(acme, { runtime: 'bash', script: 'echo hi' });
    const key = { tenant: job.tenant, jobId: job.id };
    expect(await cp.dispatch(key)).toBe('launched');
    return key;
  };
  return { deps, reports, cp, launch, errors };
};

/** Makes the next `times` reads of a job throw `err`. */
const failJobReads = (deps: ReturnType<typeof setup>['deps'], times: number, err: () => unknown) => {
  const get = deps.store.jobs.get.bind(deps.store.jobs);
  let left = times;
  let calls = 0;
  deps.store.jobs.get = async (key) => {
    calls++;
    if (left-- > 0) throw err();
    return get(key);
  };
  return { calls: () => calls };
};

describe('execution reports', () => {
  it('are the control plane’s inbound path: lines reported there are stored and readable', async () => {
    // Arrange
    const { reports, cp, launch } = setup();
    const key = await launch();

    // Act
    await reports.output(key, rawLinesFactory(2, { from: 1 }), 't2');

    // Assert
    expect(cp.executions).toBe(reports);
    expect((await cp.jobs.logs(acme, key.jobId, 0, 100)).items.map((l) => l.line)).toEqual(['line 1', 'line 2']);
  });

  it('retry an exit whose store reads fail transiently, and end the job', async () => {
    // Arrange
    const { deps, reports, launch, errors } = setup();
    const key = await launch();
    const reads = failJobReads(deps, 2, () => new Error('throttled'));

    // Act
    await reports.exited(key, ok);

    // Assert
    expect((await deps.store.jobs.get(key))?.status).toBe('completed');
    expect(reads.calls()).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
  });

  it('never retry a typed refusal, and log it once as { err, jobId, report }', async () => {
    // Arrange
    const { deps, reports, launch, errors } = setup();
    const key = await launch();
    const refusal = new NotFoundError('job', key.jobId);
    const reads = failJobReads(deps, 1, () => refusal);

    // Act
    const thrown = await reports.exited(key, ok).catch((e: unknown) => e);

    // Assert
    expect(thrown).toBe(refusal);
    expect(reads.calls()).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ err: refusal, jobId: key.jobId, report: 'exited' })]);
  });

  it('give up after the policy’s tries on a lasting failure, reject, and log it once', async () => {
    // Arrange
    const { deps, reports, launch, errors } = setup();
    const key = await launch();
    const reads = failJobReads(deps, Infinity, () => new Error('store unavailable'));

    // Act
    const thrown = await reports.exited(key, ok).catch((e: unknown) => e);

    // Assert
    expect(thrown).toEqual(new Error('store unavailable'));
    expect(reads.calls()).toBe(4);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ jobId: key.jobId, report: 'exited' });
  });

  it('do not retry a conflict either', async () => {
    // Arrange
    const { deps, reports, launch } = setup();
    const key = await launch();
    const reads = failJobReads(deps, 1, () => new ConflictError('changed'));

    // Act
    const thrown = await reports.exited(key, ok).catch((e: unknown) => e);

    // Assert
    expect(thrown).toBeInstanceOf(ConflictError);
    expect(reads.calls()).toBe(1);
  });
});
