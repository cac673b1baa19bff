import type { CoreDeps } from '../deps';
import { createSubmitJob } from '../jobs/submitJob';
import type { JobHook, JobHooks } from '../jobs/jobHook';
import { isTerminal } from '../model';
import { createRunAdvancer } from './createRunAdvancer';

/**
 * Advances a step's workflow run when the step's job ends, in whichever process recorded the end.
 * `hooks` are all the hooks of the runtime (this one included): the next steps' submissions go
 * through them like any other.
 */
export const createWorkflowStepHook = (
  deps: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'ids' | 'config' | 'cipher' | 'logger' | 'tools'>,
  hooks: JobHooks,
): JobHook => {
  const advance = createRunAdvancer(deps, createSubmitJob(deps, hooks));
  return {
    name: 'workflow-step',
    async changed(job, from) {
      if (!job.workflowRunId || !isTerminal(job.status) || (from !== undefined && isTerminal(from))) return;
      await advance(job.tenant, job.workflowRunId, job);
    },
  };
};
