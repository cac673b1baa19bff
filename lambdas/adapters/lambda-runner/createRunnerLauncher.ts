import { randomBytes } from 'node:crypto';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ExecutionLauncher, JobKey } from '../../core';

/** Every ref this launcher hands out starts with it; a composition root routes on it. */
export const RUNNER_REF_PREFIX = 'runner:';

/** Whether a ref belongs to the runner launcher. */
export const isRunnerRef = (ref: string): boolean => ref.startsWith(RUNNER_REF_PREFIX);

/** What the runner function is invoked with: only the job's key (it reads the job from the store). */
export type RunnerInvocation = JobKey;

export interface RunnerLauncherOptions {
  client: LambdaClient;
  /** The runner function's name or ARN; read when a job starts, so functions that never start one need not have it. */
  functionName: () => string;
}

/**
 * Hands each job to its own invocation of a runner function (on AWS: http jobs, which would
 * otherwise run inside the dispatcher's short invocation, several to one). The invocation is
 * asynchronous (`Event`), so the dispatcher returns at once; the runner reads the job, runs it and
 * reports through the same report path. Nothing secret travels in the payload.
 *
 * What it cannot do, and who does it instead: `stop` cannot reach another invocation, so the runner
 * watches its job's status and aborts when the job was cancelled; `list` cannot see invocations, so
 * the reaper finds a runner that died by its job's time limit (createReconciler's visibleToListAfter).
 */
export const createRunnerLauncher = (o: RunnerLauncherOptions): ExecutionLauncher => ({
  create: async (request) => `${RUNNER_REF_PREFIX}${request.job.id}:${randomBytes(6).toString('hex')}`,
  async start(_ref, job) {
    const payload: RunnerInvocation = { tenant: job.tenant, jobId: job.id };
    await o.client.send(new InvokeCommand({ FunctionName: o.functionName(), InvocationType: 'Event', Payload: JSON.stringify(payload) }));
  },
  stop: async () => {},
  list: async () => [],
  reattach: async () => {},
  // The runner rebuilds what it needs from the key (runHandedJob's prepare), so the dispatcher builds nothing.
  handsOver: () => true,
});
