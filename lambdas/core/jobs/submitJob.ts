import type { CoreDeps } from '../deps';
import type { Caller, Job, JobSpec } from '../model';

export interface SubmitOptions {
  eventId?: string;
  eventName?: string;
  /** The run's input, handed to the script as `in/input.json`. */
  input?: unknown;
}

/**
 * Stores a job `queued` and offers it to the dispatcher.
 * The job is written before the message is sent, so a message never names a missing job;
 * if sending fails the job stays queued and reconciliation offers it again.
 */
export const createSubmitJob =
  ({ store, queue, clock, ids }: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'ids'>) =>
  async (caller: Caller, spec: JobSpec, opts: SubmitOptions = {}): Promise<Job> => {
    const job: Job = {
      ...spec,
      tenant: caller.tenant,
      id: ids.next(),
      ...(opts.eventId ? { eventId: opts.eventId } : {}),
      ...(opts.eventName ? { eventName: opts.eventName } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      status: 'queued',
      version: 1,
      createdAt: new Date(clock.now()).toISOString(),
    };
    await store.jobs.create(job);
    await queue.enqueue({ tenant: job.tenant, jobId: job.id });
    return job;
  };
