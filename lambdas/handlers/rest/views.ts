import type { EventDef, Job } from '../../core';

/** A job as the API shows it: no tenant, version or launcher internals, no script or env values. */
export const jobView = (job: Job) => ({
  id: job.id,
  status: job.status,
  runtime: job.runtime,
  ...(job.eventId ? { eventId: job.eventId, ...(job.eventName ? { eventName: job.eventName } : {}) } : {}),
  ...(job.scheduleId ? { scheduleId: job.scheduleId, scheduledAt: job.scheduledAt } : {}),
  ...(job.workflowRunId ? { workflowId: job.workflowId, workflowRunId: job.workflowRunId, workflowStepId: job.workflowStepId } : {}),
  ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
  ...(job.error ? { error: job.error } : {}),
  createdAt: job.createdAt,
  ...(job.claimedAt ? { claimedAt: job.claimedAt } : {}),
  ...(job.startedAt ? { startedAt: job.startedAt } : {}),
  ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
  ...(job.durationMs !== undefined ? { durationMs: job.durationMs } : {}),
  timeoutSeconds: job.timeoutSeconds,
  resources: job.resources,
  ...(job.output !== undefined ? { output: job.output } : {}),
  ...(job.condition !== undefined ? { condition: job.condition } : {}),
  ...(job.outputError ? { outputError: job.outputError } : {}),
  ...(job.target ? { target: job.target } : {}),
  ...(job.tool ? { tool: job.tool } : {}),
  ...(job.executions ? { executions: job.executions } : {}),
  ...(job.priority ? { priority: job.priority } : {}),
  ...(job.retries ? { retries: job.retries } : {}),
  ...(job.attempt !== undefined ? { attempt: job.attempt } : {}),
  ...(job.attempts ? { attempts: job.attempts } : {}),
  ...(job.retryAt ? { retryAt: job.retryAt } : {}),
  ...(job.concurrency ? { concurrency: job.concurrency } : {}),
});

export const eventView = ({ tenant: _tenant, ...event }: EventDef) => event;
