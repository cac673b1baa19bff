import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { EcsTaskStateChangeDetailSchema, stoppedTaskReport, type EcsTaskStateChangeDetail, type TaskJobs } from '../adapters/ecs';
import type { ExecutionEvents, JobKey, Logger, WorkspaceOutputs } from '../core';
import { silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import type { JobLogForwarding } from './aws/jobLogForwarding';

/** An EventBridge `ECS Task State Change` event, with its detail checked. */
export const EcsTaskStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Task State Change'),
  detail: EcsTaskStateChangeDetailSchema,
});

/** What {@link createEcsTaskStoppedHandler} needs. */
export interface EcsTaskStoppedDeps {
  /** The one inbound report path; `settled` waits for the pushes it started. */
  events: Pick<ExecutionEvents, 'exited'> & { settled?(key: JobKey): Promise<void> };
  /** Task → job, through the task's tags. */
  tasks: TaskJobs;
  /** Stores the job's log lines not stored yet. */
  logs: Pick<JobLogForwarding, 'drain'>;
  /** The job's log stream, from its task; undefined when the task definition is not a job's. */
  logStreamOf(detail: EcsTaskStateChangeDetail): string | undefined;
  /** What the script left in `out/` (the S3 workspace); absent until the workspace is deployed. */
  readOutputs?: (key: JobKey) => Promise<WorkspaceOutputs | undefined>;
  logger?: Logger;
}

/**
 * Ends a job when its task STOPPED. Ordering rule: the job's log stream is drained (read from the
 * stored position to its end and stored) BEFORE `exited` is reported, so a job never ends before its
 * last lines are in, whatever the subscription's delivery delay. Duplicate and late events are
 * harmless: the drain stores nothing twice and ending an ended job changes nothing. A failure throws,
 * so EventBridge retries the event (and, past its retries, sends it to the rule's DLQ).
 */
export const createEcsTaskStoppedHandler = (deps: EcsTaskStoppedDeps) => {
  const logger = deps.logger ?? silentLogger;
  return async (event: unknown): Promise<void> => {
    const parsed = EcsTaskStateChangeEventSchema.safeParse(event);
    if (!parsed.success) {
      // Retrying cannot mend a malformed event.
      logger.error({ issues: parsed.error.issues }, 'dropping an event that is not an ECS task state change');
      return;
    }
    const detail = parsed.data.detail;
    if (detail.lastStatus !== 'STOPPED') return;
    const key = await deps.tasks.keyOf(detail.taskArn);
    if (!key) {
      logger.warn({ taskArn: detail.taskArn }, 'a stopped task without Cronium tags: not a job');
      return;
    }
    const report = stoppedTaskReport(detail);
    const stream = deps.logStreamOf(detail);
    if (stream) await deps.logs.drain(key, stream);
    const outputs = report.failure || !deps.readOutputs ? undefined : await deps.readOutputs(key);
    await deps.events.exited(key, { ...report, ...(outputs ? { outputs } : {}) });
    // A Lambda is frozen once it returns: the last lines and the final status are pushed before it does.
    await deps.events.settled?.(key);
  };
};

/** Lambda entry point (EventBridge rule target), wired to AWS on first use. */
export const handler = lazyHandler<EventBridgeEvent<string, unknown>, void>(async () => {
  const { awsTaskReporting } = await import('./aws/composition');
  return createEcsTaskStoppedHandler(awsTaskReporting());
});
