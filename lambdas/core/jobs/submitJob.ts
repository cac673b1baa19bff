import type { CoreDeps } from '../deps';
import type { Caller, Job, JobSpec } from '../model';
import { noHooks, type JobHooks } from './jobHooks';

export interface SubmitOptions {
  eventId?: string;
  eventName?: string;
  /** The run's input, handed to the script as `in/input.json`. */
  input?: unknown;
  /** A schedule fire chooses the id when it claims the fire, so a second attempt creates no second job. */
  jobId?: string;
  scheduleId?: string;
  scheduledAt?: string;
  /** Held back by the queue this long (a schedule fire handed over before its time). */
  delaySeconds?: number;
}

/**
 * Stores a job `queued` and offers it to the dispatcher.
 * The job is written before the message is sent, so a message never names a missing job;
 * if sending fails the job stays queued and reconciliation offers it again.
 * @throws ConflictError when `opts.jobId` names a job that exists (nothing is sent then).
 */
export const createSubmitJob =
  ({ store, queue, clock, ids }: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'ids'>, hooks: JobHooks = noHooks) =>
  async (caller: Caller, spec: JobSpec, opts: SubmitOptions = {}): Promise<Job> => {
    const job: Job = {
      ...spec,
      tenant: caller.tenant,
      id: opts.jobId ?? ids.next(),
      ...(opts.eventId ? { eventId: opts.eventId } : {}),
      ...(opts.eventName ? { eventName: opts.eventName } : {}),
      ...(opts.scheduleId ? { scheduleId: opts.scheduleId, scheduledAt: opts.scheduledAt } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      status: 'queued',
      version: 1,
      createdAt: new Date(clock.now()).toISOString(),
      // Reconciliation counts a lost message from when it became deliverable.
      ...(opts.delaySeconds ? { offeredAt: new Date(clock.now() + opts.delaySeconds * 1000).toISOString() } : {}),
    };
    await store.jobs.create(job);
    if (opts.delaySeconds) await queue.enqueue({ tenant: job.tenant, jobId: job.id }, { delaySeconds: opts.delaySeconds });
    else await queue.enqueue({ tenant: job.tenant, jobId: job.id });
    await hooks(job, undefined);
    return job;
  };
