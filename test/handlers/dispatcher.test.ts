import { describe, expect, it } from 'vitest';
import { encodeJobMessage } from '../../lambdas/adapters/sqs';
import { createControlPlane } from '../../lambdas/core';
import { createDispatcherHandler } from '../../lambdas/handlers/dispatcher';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { sqsEvent } from './fixtures';

describe('the dispatcher handler', () => {
  it('launches each job of the batch and reports no failures', async () => {
    const deps = createTestDeps();
    const cp = createControlPlane(deps);
    const caller = { tenant: 'acme', role: 'user' as const };
    const a = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });
    const b = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });

    const res = await createDispatcherHandler(cp)(sqsEvent([a, b].map((j) => encodeJobMessage({ tenant: 'acme', jobId: j.id }))));

    expect(res.batchItemFailures).toEqual([]);
    expect((await cp.jobs.get(caller, a.id)).status).toBe('running');
    expect((await cp.jobs.get(caller, b.id)).status).toBe('running');
  });

  it('reports only the message whose dispatch failed, so only it is retried', async () => {
    const deps = createTestDeps();
    const cp = createControlPlane(deps);
    const caller = { tenant: 'acme', role: 'user' as const };
    const ok = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });
    const broken = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });
    const get = deps.store.jobs.get.bind(deps.store.jobs);
    deps.store.jobs.get = async (key) => {
      if (key.jobId === broken.id) throw new Error('throttled');
      return get(key);
    };

    const res = await createDispatcherHandler(cp)(sqsEvent([ok, broken].map((j) => encodeJobMessage({ tenant: 'acme', jobId: j.id }))));

    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('drops an unreadable message instead of retrying it forever', async () => {
    const cp = createControlPlane(createTestDeps());

    const res = await createDispatcherHandler(cp)(sqsEvent(['not json']));

    expect(res.batchItemFailures).toEqual([]);
  });
});
