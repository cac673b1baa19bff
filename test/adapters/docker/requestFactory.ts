import type { Job } from '../../../lambdas/core/model';
import type { ExecutionRequest, WorkspaceFiles } from '../../../lambdas/core/ports/runtime';
import { buildWorkspace } from '../../../lambdas/core/workspace/workspaceContract';

/** What a request holds besides the job; the workspace is built by the core's own contract unless given. */
export interface RequestOverrides {
  /** The resolved environment. @default {} */
  env?: Record<string, string>;
  /** The tenant's variables, for `in/variables.json`. @default {} */
  variables?: Record<string, unknown>;
  /** Replaces the workspace built from the job. */
  workspace?: WorkspaceFiles;
}

/**
 * The ExecutionRequest the core would hand a launcher for this job.
 * @example
 * launcher.create(requestFactory(job, { env: { GREETING: 'hi' } }))
 */
export const requestFactory = (job: Job, o: RequestOverrides = {}): ExecutionRequest => ({
  job,
  env: o.env ?? {},
  workspace: o.workspace ?? buildWorkspace(job, o.variables ?? {}),
});
