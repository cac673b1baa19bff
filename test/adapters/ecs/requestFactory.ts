import type { Job } from '../../../lambdas/core/model';
import type { ExecutionRequest, WorkspaceFiles } from '../../../lambdas/core/ports';
import { buildWorkspace } from '../../../lambdas/core/workspace/workspaceContract';
import { jobFactory } from '../../helpers/factories';

/**
 * The ExecutionRequest the core would hand a launcher for a job built by `jobFactory(job)`: the
 * workspace from the core's own contract unless given, and the resolved env (empty by default).
 * @example
 * launcher().create(requestFactory({ runtime: 'python' }, { env: { GREETING: 'hi' } }))
 */
export const requestFactory = (
  job: Partial<Job> = {},
  o: { env?: Record<string, string>; workspace?: WorkspaceFiles } = {},
): ExecutionRequest => {
  const built = jobFactory(job);
  return { job: built, env: o.env ?? {}, workspace: o.workspace ?? buildWorkspace(built, {}) };
};
