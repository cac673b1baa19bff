import type { CoreDeps } from '../deps';
import { TooManyQueuedError } from '../errors';
import type { Caller, Job, JobSpec, JobStatus } from '../model';
import type { QueuedAdmission } from '../ports';

/** What a caller refused at the cap is told to wait before trying again. */
export const QUEUED_RETRY_AFTER_SECONDS = 30;

/**
 * Counts the job in its tenant's queued jobs, or refuses it at the cap (one conditional write: racing
 * submissions cannot both take the last place). A workflow's next step is counted but never refused:
 * its run was admitted already, and refusing a step would fail the run halfway.
 * @throws TooManyQueuedError
 */
const admitQueued = async (
  store: CoreDeps['store'],
  config: CoreDeps['config'],
  tenant: string,
  step: boolean,
): Promise<QueuedAdmission | undefined> => {
  if (step) {
    await store.queued.add(tenant, 1);
    return undefined;
  }
  const admission = await store.queued.reserve(tenant, config.maxQueuedPerTenant);
  if (!admission) throw new TooManyQueuedError(config.maxQueuedPerTenant, QUEUED_RETRY_AFTER_SECONDS);
  return admission;
};

/** JobHooks' shape, named here so that a hook may submit jobs without an import cycle through jobHooks.ts. */
type AfterSubmit = (job: Job, from: JobStatus | undefined) => Promise<void>;

export interface SubmitOptions {
  eventId?: string;
  eventName?: string;
  /** The run's input, handed to the script as `in/input.json`. */
  input?: unknown;
  /** A schedule fire chooses the id when it claims the fire, so a second attempt creates no second job. */
  jobId?: string;
  scheduleId?: string;
  scheduledAt?: string;
  /** A workflow step's job carries its workflow, run and node. */
  workflow?: { workflowId: string; workflowRunId: string; workflowStepId: string };
  /** Held back by the queue this long (a schedule fire handed over before its time). */
  delaySeconds?: number;
}

/**
 * Stores a job `queued` and offers it to the dispatcher.
 * The job is written before the message is sent, so a message never names a missing job;
 * if sending fails the job stays queued and reconciliation offers it again.
 * @throws ConflictError when `opts.jobId` names a job that exists (nothing is sent then).
 * @throws TooManyQueuedError when the tenant has `maxQueuedPerTenant` jobs queued already.
 */
export const createSubmitJob =
  (
    { store, queue, clock, ids, config }: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'ids' | 'config'>,
    hooks: AfterSubmit = async () => {},
  ) =>
  async (caller: Caller, spec: JobSpec, opts: SubmitOptions = {}): Promise<Job> => {
    const admission = await admitQueued(store, config, caller.tenant, opts.workflow !== undefined);
    const job: Job = {
      ...spec,
      tenant: caller.tenant,
      id: opts.jobId ?? ids.next(),
      ...(opts.eventId ? { eventId: opts.eventId } : {}),
      ...(opts.eventName ? { eventName: opts.eventName } : {}),
      ...(opts.scheduleId ? { scheduleId: opts.scheduleId, scheduledAt: opts.scheduledAt } : {}),
      ...(opts.workflow ?? {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      status: 'queued',
      version: 1,
      createdAt: new Date(clock.now()).toISOString(),
      // Reconciliation counts a lost message from when it became deliverable.
      ...(opts.delaySeconds ? { offeredAt: new Date(clock.now() + opts.delaySeconds * 1000).toISOString() } : {}),
      // A fire is created ahead of its time: its run should see variables changed meanwhile.
      ...(admission && !opts.scheduleId ? { variablesVersion: admission.variablesVersion } : {}),
    };
    try {
      await store.jobs.create(job);
    } catch (err) {
      await store.queued.add(job.tenant, -1);
      throw err;
    }
    await queue.enqueue({ tenant: job.tenant, jobId: job.id }, { job, ...(opts.delaySeconds ? { delaySeconds: opts.delaySeconds } : {}) });
    await hooks(job, undefined);
    return job;
  };
