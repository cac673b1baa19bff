import { z } from 'zod';
import type { ServerTestAnswer } from '../adapters/lambda-server-test';
import type { JobKey, Logger, ServerTestResult } from '../core';
import { bareRequest, ControlPlaneError, silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import type { HandedJobOutcome } from './aws/runHandedJob';

/** The payload createRunnerLauncher sends: a job key, nothing more. */
const jobInvocation = z.object({ tenant: z.string().min(1).max(63), jobId: z.string().min(1).max(200) }).strict();

/** The payload createRunnerServerAccess sends for POST /servers/{id}/test: whose server, never its key. */
const serverTestInvocation = z
  .object({ kind: z.literal('server-test'), tenant: z.string().min(1).max(63), serverId: z.string().min(1).max(200) })
  .strict();

export type RunnerAnswer = { outcome: HandedJobOutcome | 'invalid' } | ServerTestAnswer;

export interface JobRunnerHandlerDeps {
  run: (key: JobKey) => Promise<HandedJobOutcome>;
  settled: (key: JobKey) => Promise<void>;
  /** Tests a stored server from here (reads and decrypts its key, connects, pins the host key). */
  testServer: (tenant: string, serverId: string) => Promise<ServerTestResult>;
  logger?: Logger;
}

/**
 * The runner function: one handed job per invocation, run to its end (async invoke from the
 * dispatcher), or one server connection test answered to the API (sync invoke), from the network
 * jobs connect from. A payload that is neither is logged and dropped (retrying it could not help).
 */
export const createJobRunnerHandler =
  ({ run, settled, testServer, logger = silentLogger }: JobRunnerHandlerDeps) =>
  async (event: unknown): Promise<RunnerAnswer> => {
    const test = serverTestInvocation.safeParse(event);
    if (test.success) {
      try {
        return { result: await testServer(test.data.tenant, test.data.serverId) };
      } catch (err) {
        // not_found and the like go back to the API, which answers them as it would locally.
        if (err instanceof ControlPlaneError) return { error: { code: err.code, message: err.message } };
        throw err;
      }
    }
    const parsed = jobInvocation.safeParse(event);
    if (!parsed.success) {
      logger.error({ issues: parsed.error.issues.map((i) => i.path.join('.') || '(payload)') }, 'runner invoked without a job key');
      return { outcome: 'invalid' };
    }
    const outcome = await run(parsed.data);
    // A Lambda is frozen once it returns: the pushes the job's reports started must be out first.
    await settled(parsed.data);
    return { outcome };
  };

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<unknown, RunnerAnswer>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { createRunHandedJob } = await import('./aws/runHandedJob');
  const { cp, store, inProcess, reports, logger } = awsComposition();
  const run = createRunHandedJob({
    getJob: (key) => store.jobs.get(key),
    launcher: inProcess,
    logger,
    // An ssh job's environment, workspace and server credentials are read here, not sent in the payload.
    prepare: async (job) => (job.target?.type === 'ssh' ? cp.prepareExecution(job) : bareRequest(job)),
    events: reports,
  });
  return createJobRunnerHandler({ run, settled: (key) => reports.settled(key), testServer: cp.servers.testHere, logger });
});
