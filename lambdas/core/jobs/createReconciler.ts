import type { CoreDeps } from '../deps';
import { ConflictError, ErrorCodes } from '../errors';
import { jobKeyId, type Job } from '../model';
import type { ExecutionInfo } from '../ports';
import type { Lifecycle } from './createLifecycle';
import { createEventSlotSweep } from './sweepEventSlots';

export interface ReconcileReport {
  resumed: number;
  requeued: number;
  lost: number;
  timedOut: number;
  orphansStopped: number;
  slotsFreed: number;
  /** Queued jobs whose message was lost (unclaimed long after it was due), offered again. */
  reoffered: number;
  /** Slots of events' own limits whose holder had ended, freed; and runs offered to free ones. */
  eventSlotsFreed: number;
  eventWaitingOffered: number;
}

/** Grace past a deadline before the reaper steps in for a launcher that missed it. */
const DEADLINE_GRACE_MS = 30_000;

const CLOCK_SKEW_MS = 5_000;

/**
 * An http, tool or ssh job runs only in the process that runs it (on AWS, a runner function's invocation),
 * so a reaper in another process never sees it listed: it is lost only once its request must have ended.
 */
const visibleToListAfter = (job: Job): number =>
  job.runtime === 'http' || job.runtime === 'tool' || job.target?.type === 'ssh'
    ? Date.parse(job.startedAt ?? job.createdAt) + (job.http?.timeoutMs ?? job.timeoutSeconds * 1000) + DEADLINE_GRACE_MS
    : 0;

/**
 * Brings stored jobs and live executions back into agreement, so no job stays active forever.
 * `afterRestart` is for a control plane that was down: it re-attaches to running executions and
 * offers queued jobs again (their messages may have died with it). Without it, it is the periodic reaper.
 */
export const createReconciler = (
  { store, queue, launcher, clock, config, logger }: Pick<CoreDeps, 'store' | 'queue' | 'launcher' | 'clock' | 'config' | 'logger'>,
  lifecycle: Lifecycle,
) => {
  const requeue = async (job: Job, execution: ExecutionInfo | undefined) => {
    if (execution) await launcher.stop(execution.ref);
    try {
      await lifecycle.advance(job, 'queued', { claimedAt: undefined });
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
    await queue.enqueue({ tenant: job.tenant, jobId: job.id });
    return true;
  };

  /** Offers a queued job again whose message never led to a claim; the conditional write lets one reaper do it. */
  const reoffer = async (job: Job) => {
    try {
      await store.jobs.transition(job, 'queued', { offeredAt: new Date(clock.now()).toISOString() });
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
    await queue.enqueue({ tenant: job.tenant, jobId: job.id });
    return true;
  };

  const sweepEventSlots = createEventSlotSweep({ store }, lifecycle);

  return async ({ afterRestart }: { afterRestart: boolean }): Promise<ReconcileReport> => {
    const report: ReconcileReport = {
      resumed: 0,
      requeued: 0,
      lost: 0,
      timedOut: 0,
      orphansStopped: 0,
      slotsFreed: 0,
      reoffered: 0,
      eventSlotsFreed: 0,
      eventWaitingOffered: 0,
    };
    const listedAt = clock.now();
    const executions = new Map((await launcher.list()).map((e) => [jobKeyId(e.key), e]));
    const active = await store.jobs.listActive();
    const now = clock.now();
    // A job that started after the executions were listed is not missing, only newer than the list.
    const startedBeforeListing = (job: Job) => Date.parse(job.startedAt ?? job.createdAt) < listedAt - CLOCK_SKEW_MS;

    for (const job of active) {
      const key = { tenant: job.tenant, jobId: job.id };
      const execution = executions.get(jobKeyId(key));
      executions.delete(jobKeyId(key));
      try {
        if (job.status === 'queued') {
          if (afterRestart) await queue.enqueue(key);
          // Its message was never sent (SendMessage failed) or vanished: nothing else would offer it.
          else if (now - Date.parse(job.offeredAt ?? job.createdAt) > config.staleClaimMs && (await reoffer(job))) report.reoffered++;
        } else if (job.status === 'claimed') {
          const stale = now - Date.parse(job.claimedAt ?? job.createdAt) > config.staleClaimMs;
          if ((afterRestart || stale) && (await requeue(job, execution))) report.requeued++;
        } else if (!execution) {
          if (!afterRestart && (!startedBeforeListing(job) || now <= visibleToListAfter(job))) continue;
          await lifecycle.end(key, {
            status: 'failed',
            error: { code: ErrorCodes.lost, message: 'its execution disappeared (the container or task is gone)' },
          });
          report.lost++;
        } else if (job.deadlineAt !== undefined && now > job.deadlineAt + DEADLINE_GRACE_MS) {
          await launcher.stop(execution.ref);
          await lifecycle.end(key, { status: 'timeout', error: { code: ErrorCodes.timeout, message: 'killed at its deadline' } });
          report.timedOut++;
        } else if (afterRestart) {
          const { resumeToken } = await store.logs.tail(key);
          await launcher.reattach(execution.ref, job, resumeToken);
          report.resumed++;
        }
      } catch (err) {
        logger.error({ err, jobId: job.id }, 'reconciliation of a job failed');
      }
    }

    // Executions no active job owns: their job ended while nobody watched them.
    for (const orphan of executions.values()) {
      if (!afterRestart && orphan.running) continue;
      await launcher.stop(orphan.ref).catch((err: unknown) => logger.warn({ err, ref: orphan.ref }, 'could not stop orphan'));
      report.orphansStopped++;
    }

    // A queued holder may be a dispatcher between taking the slot and claiming; only after a
    // restart is nobody there. A running job needs only the slot it runs in (`slot`): another one it
    // holds was taken by a second delivery of its message that lost the claim.
    const needsSlot = (job: Job | undefined, slot: number) =>
      job !== undefined &&
      (job.status === 'claimed' ||
        (job.status === 'running' && (job.slot === undefined || job.slot === slot)) ||
        (job.status === 'queued' && !afterRestart));
    for (const { slot, holder } of await store.slots.held()) {
      if (needsSlot(await store.jobs.get(holder), slot)) continue;
      await lifecycle.releaseSlot(slot, holder);
      report.slotsFreed++;
    }
    const events = await sweepEventSlots(afterRestart);
    report.eventSlotsFreed = events.freed;
    report.eventWaitingOffered = events.offered;
    return report;
  };
};
