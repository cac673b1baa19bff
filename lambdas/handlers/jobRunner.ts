import { z } from 'zod';
import type { JobKey, Logger } from '../core';
import { silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import type { HandedJobOutcome } from './aws/runHandedJob';

/** The payload createRunnerLauncher sends: a job key, nothing more. */
const runnerInvocation = z.object({ tenant: z.string().min(1).max(63), jobId: z.string().min(1).max(200) }).strict();

/**
 * The runner function: one handed job per invocation, run to its end. A payload that is not a job
 * key is logged and dropped (retrying it could not help).
 */
export const createJobRunnerHandler =
  (run: (key: JobKey) => Promise<HandedJobOutcome>, settled: (key: JobKey) => Promise<void>, logger: Logger = silentLogger) =>
  async (event: unknown): Promise<{ outcome: HandedJobOutcome | 'invalid' }> => {
    const parsed = runnerInvocation.safeParse(event);
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
export const handler = lazyHandler<unknown, { outcome: HandedJobOutcome | 'invalid' }>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { createRunHandedJob } = await import('./aws/runHandedJob');
  const { cp, store, inProcess, reports, logger } = awsComposition();
  const run = createRunHandedJob({
    getJob: (key) => store.jobs.get(key),
    launcher: inProcess,
    logger,
    // An ssh job's environment, workspace and server credentials are read here, not sent in the payload.
    prepare: async (job) => (job.target?.type === 'ssh' ? cp.prepareExecution(job) : { job, env: {}, workspace: {} }),
    events: reports,
  });
  return createJobRunnerHandler(run, (key) => reports.settled(key), logger);
});
