import type { CoreDeps } from '../deps';
import { ConflictError, ErrorCodes, ValidationError } from '../errors';
import type { Job, JobKey } from '../model';
import { isTerminal } from '../model';
import type { ExecutionRequest } from '../ports';
import type { Servers } from '../servers/createServers';
import type { Variables } from '../variables/createVariables';
import { buildWorkspace } from '../workspace/workspaceContract';
import type { Lifecycle } from './createLifecycle';

export type DispatchOutcome = 'launched' | 'waiting' | 'skipped';

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Takes a concurrency slot for a queued job, claims it and launches it.
 * A job that finds every slot taken stays `queued` and is offered again later, so waiting is silent
 * and never uses up the receive count that leads to the dead-letter queue.
 * Slots are taken per job (taking one twice for the same job yields the same slot), so a message
 * delivered twice takes one slot, and the claim, a conditional write, lets it launch once.
 * @throws on store or queue faults, so the message is retried.
 */
export const createDispatchJob = (
  { store, queue, launcher, clock, config, logger }: Pick<CoreDeps, 'store' | 'queue' | 'launcher' | 'clock' | 'config' | 'logger'>,
  lifecycle: Lifecycle,
  variables: Variables,
  servers: Servers,
) => {
  const acquireSlot = async (key: JobKey): Promise<number | undefined> => {
    for (let slot = 0; slot < config.maxConcurrent; slot++) {
      if (await store.slots.acquire(slot, key)) return slot;
    }
    return undefined;
  };

  const tryAdvance = async (...args: Parameters<Lifecycle['advance']>): Promise<Job | undefined> => {
    try {
      return await lifecycle.advance(...args);
    } catch (err) {
      if (err instanceof ConflictError) return undefined;
      throw err;
    }
  };

  const endLaunchFailed = async (key: JobKey, slot: number, err: unknown) => {
    logger.warn({ err, jobId: key.jobId }, 'launch failed');
    const code = err instanceof ValidationError ? ErrorCodes.invalidInput : ErrorCodes.launchFailed;
    await lifecycle.end(key, { status: 'failed', error: { code, message: describe(err) } });
    await lifecycle.releaseSlot(slot, key);
  };

  /**
   * Resolves the job's variables into its environment and workspace. A reference to a missing
   * variable ends the job; a store or cipher fault puts it back in the queue and is rethrown, so the
   * message is retried instead of leaving the job claimed.
   */
  const prepare = async (claimed: Job, slot: number): Promise<ExecutionRequest | undefined> => {
    const key = { tenant: claimed.tenant, jobId: claimed.id };
    try {
      const resolved = await variables.forJob(claimed);
      const target = claimed.target;
      return {
        job: claimed,
        env: resolved.env,
        workspace: buildWorkspace(claimed, resolved.values),
        ...(target?.type === 'ssh' ? { servers: await servers.credentialsFor(claimed.tenant, target.serverIds) } : {}),
      };
    } catch (err) {
      if (err instanceof ValidationError) {
        await endLaunchFailed(key, slot, err);
        return undefined;
      }
      await tryAdvance(claimed, 'queued', { claimedAt: undefined });
      await lifecycle.releaseSlot(slot, key);
      throw err;
    }
  };

  /** A lost claim: the winner (a duplicate delivery) owns the shared slot, unless the job ended meanwhile. */
  const afterLostClaim = async (key: JobKey, slot: number) => {
    const now = await store.jobs.get(key);
    if (!now || isTerminal(now.status)) await lifecycle.releaseSlot(slot, key);
  };

  return async (key: JobKey): Promise<DispatchOutcome> => {
    const queued = await store.jobs.get(key);
    if (queued?.status !== 'queued') return 'skipped';

    const slot = await acquireSlot(key);
    if (slot === undefined) {
      await queue.enqueue(key, { delaySeconds: config.slotRetrySeconds });
      return 'waiting';
    }

    const claimed = await tryAdvance(queued, 'claimed', { claimedAt: new Date(clock.now()).toISOString() });
    if (!claimed) {
      await afterLostClaim(key, slot);
      return 'skipped';
    }

    const request = await prepare(claimed, slot);
    if (!request) return 'skipped';

    let ref: string;
    try {
      ref = await launcher.create(request);
    } catch (err) {
      await endLaunchFailed(key, slot, err);
      return 'skipped';
    }

    const now = clock.now();
    const running = await tryAdvance(claimed, 'running', {
      startedAt: new Date(now).toISOString(),
      deadlineAt: now + claimed.timeoutSeconds * 1000,
      executionRef: ref,
      slot,
    });
    if (!running) {
      // Cancelled while the container was being created.
      await launcher.stop(ref);
      await lifecycle.releaseSlot(slot, key);
      return 'skipped';
    }

    try {
      await launcher.start(ref, running);
    } catch (err) {
      await launcher.stop(ref).catch(() => undefined);
      await endLaunchFailed(key, slot, err);
      return 'skipped';
    }
    return 'launched';
  };
};
