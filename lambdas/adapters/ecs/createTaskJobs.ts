import { DescribeTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { JobKey } from '../../core';
import { EcsCallError } from './errors';
import { JobTaskContract } from './taskContract';
import { taskIdOf } from './taskStateChange';

/** The job a task runs, and what its launch told about it. */
export interface TaskJob extends JobKey {
  /** The job got no secret value (the task's `secrets` tag): its output needs no masking. */
  secretFree?: boolean;
  /** The job's log held no line at launch (the task's `log` tag): its first batch may start at seq 1 unread. */
  freshLog?: boolean;
}

/** Finds the job a task runs. */
export interface TaskJobs {
  /** @returns the job of a task (ARN or id), or undefined for a task Cronium did not tag (not ours). */
  keyOf(task: string): Promise<TaskJob | undefined>;
}

export interface TaskJobsOptions {
  client: ECSClient;
  /** Cluster name or ARN. */
  cluster: string;
  /** Task ids remembered per Lambda container. @default 2000 */
  cacheSize?: number;
}

/**
 * Maps a task to its job through the tags RunTask put on it (`JobTaskContract.tags`), read with one
 * DescribeTasks per task and remembered for as long as this Lambda container lives.
 *
 * Why tags and not a store item: the log stream names only the task id, and the task state change
 * event carries no tags (only `startedBy`, which has no room for the tenant). Reading the tags back
 * costs no DynamoDB request and no write at launch, and ECS keeps a stopped task describable for at
 * least an hour, far longer than the completion event and the last log batch take to arrive.
 * @throws EcsCallError when DescribeTasks fails.
 */
export const createTaskJobs = ({ client, cluster, cacheSize = 2000 }: TaskJobsOptions): TaskJobs => {
  const known = new Map<string, TaskJob>();

  return {
    async keyOf(task) {
      const id = taskIdOf(task);
      const cached = known.get(id);
      if (cached) return cached;
      let out;
      try {
        out = await client.send(new DescribeTasksCommand({ cluster, tasks: [id], include: ['TAGS'] }));
      } catch (err) {
        throw new EcsCallError(`DescribeTasks ${id} failed`, { cause: err });
      }
      const tags = out.tasks?.[0]?.tags ?? [];
      const tag = (key: string) => tags.find((t) => t.key === key)?.value;
      const tenant = tag(JobTaskContract.tags.tenant);
      const jobId = tag(JobTaskContract.tags.jobId);
      if (!tenant || !jobId) return undefined;
      if (known.size >= cacheSize) known.delete(known.keys().next().value!);
      const key: TaskJob = {
        tenant,
        jobId,
        ...(tag(JobTaskContract.tags.secrets) === JobTaskContract.noSecrets ? { secretFree: true } : {}),
        ...(tag(JobTaskContract.tags.log) === JobTaskContract.freshLog ? { freshLog: true } : {}),
      };
      known.set(id, key);
      return key;
    },
  };
};
