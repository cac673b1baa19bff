import { CloudWatchLogsSchema } from '@aws-lambda-powertools/parser/schemas';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { taskIdOfLogStream, type TaskJobs } from '../adapters/ecs';
import type { Logger } from '../core';
import { silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import type { JobLogForwarding } from './aws/jobLogForwarding';

/** What {@link createJobLogsHandler} needs. */
export interface JobLogsDeps {
  /** Task → job, through the task's tags. */
  tasks: TaskJobs;
  logs: Pick<JobLogForwarding, 'forward'>;
  logger?: Logger;
}

/**
 * Stores and pushes the lines of a job's CloudWatch Logs subscription batch (gzip + base64, decoded
 * by Powertools' schema) through the core's output use case: the same numbering, masking, cap and
 * pushes as the Docker follower. A batch delivered twice stores nothing twice (see jobLogForwarding).
 * A failure throws, so Lambda's asynchronous retries deliver the batch again.
 */
export const createJobLogsHandler = (deps: JobLogsDeps) => {
  const logger = deps.logger ?? silentLogger;
  return async (event: unknown): Promise<void> => {
    const parsed = CloudWatchLogsSchema.safeParse(event);
    if (!parsed.success) {
      logger.error({ issues: parsed.error.issues }, 'dropping a payload that is not a CloudWatch Logs subscription batch');
      return;
    }
    const batch = parsed.data.awslogs.data;
    // CloudWatch checks a new subscription with a CONTROL_MESSAGE: nothing to store.
    if (batch.messageType !== 'DATA_MESSAGE') return;
    const taskId = taskIdOfLogStream(batch.logStream);
    const key = taskId === undefined ? undefined : await deps.tasks.keyOf(taskId);
    if (!key) {
      logger.warn({ logStream: batch.logStream }, 'a log stream of no Cronium job');
      return;
    }
    await deps.logs.forward(key, batch.logEvents);
  };
};

/** Lambda entry point (CloudWatch Logs subscription), wired to AWS on first use. */
export const handler = lazyHandler<CloudWatchLogsEvent, void>(async () => {
  const { awsTaskReporting } = await import('./aws/composition');
  return createJobLogsHandler(awsTaskReporting());
});
