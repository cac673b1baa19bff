import { describe, expect, it } from 'vitest';
import { createPrepareExecution } from '../../../lambdas/core/jobs/prepareExecution';
import { jobFactory } from '../../helpers/factories';

const prepare = createPrepareExecution({ forJob: async () => ({ values: {}, env: {}, secrets: [] }) }, { credentialsFor: async () => [] });

describe('the launch request says whether the job log is fresh', () => {
  it('marks a first attempt: no line is stored before it runs', async () => {
    expect((await prepare(jobFactory())).freshLog).toBe(true);
    expect((await prepare(jobFactory({ attempt: 1 }))).freshLog).toBe(true);
  });

  it('does not mark a retried attempt: its log holds the earlier attempts and the retry notice', async () => {
    expect((await prepare(jobFactory({ attempt: 2 }))).freshLog).toBeUndefined();
  });
});
