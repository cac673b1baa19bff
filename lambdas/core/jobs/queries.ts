import type { CoreDeps } from '../deps';
import { NotFoundError } from '../errors';
import type { Caller, Job, LogLine } from '../model';
import type { JobListQuery, Page } from '../ports';

/** @throws NotFoundError when the job does not exist for the caller's tenant. */
export const createGetJob =
  ({ store }: Pick<CoreDeps, 'store'>) =>
  async (caller: Caller, jobId: string): Promise<Job> => {
    const job = await store.jobs.get({ tenant: caller.tenant, jobId });
    if (!job) throw new NotFoundError('job', jobId);
    return job;
  };

/** The store's query as is: every filter is the store's to apply, in both homes. */
export type ListJobsQuery = JobListQuery;

/**
 * A tenant's jobs, newest first.
 * @throws ValidationError('cursor') for a malformed cursor; ValidationError('since' | 'until') for a bad range.
 */
export const createListJobs =
  ({ store }: Pick<CoreDeps, 'store'>) =>
  (caller: Caller, query: ListJobsQuery): Promise<Page<Job>> =>
    store.jobs.list(caller.tenant, query);

export interface LogPage {
  items: LogLine[];
  /** Pass as `after` for the next page; equals `after` when there was nothing new. */
  nextSeq: number;
}

/** Stored log lines after `after`. @throws NotFoundError when the job is not the caller's. */
export const createReadLogs = ({ store }: Pick<CoreDeps, 'store'>) => {
  const getJob = createGetJob({ store });
  return async (caller: Caller, jobId: string, after: number, limit: number): Promise<LogPage> => {
    await getJob(caller, jobId);
    const items = await store.logs.read({ tenant: caller.tenant, jobId }, after, limit);
    return { items, nextSeq: items.at(-1)?.seq ?? after };
  };
};
