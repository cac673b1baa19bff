import type { Job } from '../model';
import type { ExecutionRequest } from '../ports';
import type { Servers } from '../servers/createServers';
import type { Variables } from '../variables/createVariables';
import { buildWorkspace } from '../workspace/workspaceContract';

/** Builds the full launch request of a job (see createPrepareExecution). */
export type PrepareExecution = (job: Job) => Promise<ExecutionRequest>;

/**
 * Builds what a launcher needs to run a job: its environment and workspace with the tenant's
 * variables resolved, and for an ssh target its servers with their credentials decrypted. The
 * dispatcher builds it before it launches; a runner function that was handed only the job's key
 * (createRunnerLauncher) builds it again, so no secret travels in the hand-over.
 * @throws ValidationError when the job names a variable or server that does not exist.
 * @throws on store or cipher faults.
 */
export const createPrepareExecution =
  (variables: Pick<Variables, 'forJob'>, servers: Pick<Servers, 'credentialsFor'>): PrepareExecution =>
  async (job) => {
    const resolved = await variables.forJob(job);
    const target = job.target;
    return {
      job,
      env: resolved.env,
      workspace: buildWorkspace(job, resolved.values),
      ...(target?.type === 'ssh' ? { servers: await servers.credentialsFor(job.tenant, target.serverIds) } : {}),
      ...(resolved.secrets.length === 0 ? { secretFree: true } : {}),
    };
  };
