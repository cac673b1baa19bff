import { describe, expect, it } from 'vitest';
import { encodeJobMessage } from '../../lambdas/adapters/sqs';
import { createControlPlane } from '../../lambdas/core';
import { createDeadLettersHandler } from '../../lambdas/handlers/deadLetters';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { sqsEvent } from './fixtures';

const caller = { tenant: 'acme', role: 'user' as const };

describe('the dead-letter handler', () => {
  it('ends a queued job failed with dead_lettered and a reason', async () => {
    // Arrange
    const cp = createControlPlane(createTestDeps());
    const job = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });

    // Act
    const res = await createDeadLettersHandler(cp)(sqsEvent([encodeJobMessage({ tenant: 'acme', jobId: job.id })]));

    // Assert
    expect(res.batchItemFailures).toEqual([]);
    const ended = await cp.jobs.get(caller, job.id);
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'dead_lettered' } });
    expect(ended.error?.message).toMatch(/dead-letter queue/);
  });

  it('leaves a running job alone: its execution reports its own end', async () => {
    // Arrange
    const cp = createControlPlane(createTestDeps());
    const job = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });
    await cp.dispatch({ tenant: 'acme', jobId: job.id });

    // Act
    await createDeadLettersHandler(cp)(sqsEvent([encodeJobMessage({ tenant: 'acme', jobId: job.id })]));

    // Assert
    expect((await cp.jobs.get(caller, job.id)).status).toBe('running');
  });

  it('reports only the message whose job could not be ended, and drops an unreadable one', async () => {
    // Arrange
    const deps = createTestDeps();
    const cp = createControlPlane(deps);
    const job = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });
    deps.store.jobs.get = async () => {
      throw new Error('throttled');
    };

    // Act
    const res = await createDeadLettersHandler(cp)(sqsEvent(['not json', encodeJobMessage({ tenant: 'acme', jobId: job.id })]));

    // Assert
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});
