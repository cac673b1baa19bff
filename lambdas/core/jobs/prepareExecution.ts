import type { Job } from '../model';
import type { ExecutionRequest } from '../ports';
import type { Servers } from '../servers/createServers';
import type { Variables } from '../variables/createVariables';
import { buildWorkspace } from '../workspace/workspaceContract';

/**
 * A launch request with nothing resolved: for a job handed over with only its key (it is built
 * where it runs) and for runtimes that need no variables (http and tool jobs in the runner).
 */
export const bareRequest = (job: Job): ExecutionRequest => ({ job, env: {}, workspace: {} });

/** Builds the full launch request of a job (see createPrepareExecution). */
export type PrepareExecution = (job: Job) => Promise<ExecutionRequest>;

/**
 * Builds what a launcher needs to run a job: its environment and workspace with the tenant's
 * variables resolved, and for an ssh target its servers with their credentials decrypted. The
 * dispatcher builds it for a launcher that runs the job itself; a job handed over with only its key
 * (createRunnerLauncher, ExecutionLauncher.handsOver) has it built by the runner alone, so no secret
 * travels in the hand-over and none is decrypted twice.
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
      ...((job.attempt ?? 1) <= 1 ? { freshLog: true } : {}),
    };
  };
