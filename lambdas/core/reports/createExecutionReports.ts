import type { CoreDeps } from '../deps';
import { createExecutionRecorder, type OutputHints, type PickAfter } from '../jobs/createExecutionRecorder';
import { createLifecycle } from '../jobs/createLifecycle';
import { createJobHooks } from '../jobs/jobHooks';
import { createLiveFeed } from '../live/createLiveFeed';
import { scheduleDeliveries } from '../live/scheduleDeliveries';
import type { JobKey } from '../model';
import type { ExecutionEvents, TransientRetry } from '../ports';
import { createServers } from '../servers/createServers';
import { createVariables } from '../variables/createVariables';
import { noRetry, withReportRetry } from './withReportRetry';

/** What the reports need: every port but the launcher (they are built before it), and the retry policy. */
export type ReportDeps = Omit<CoreDeps, 'launcher'> & {
  /** Retries a report that failed transiently. @default one try */
  retry?: TransientRetry;
};

/**
 * The one inbound path of launcher reports; `settled` lets tests and handlers wait for the pushes a
 * job's reports started. `outputAfter` is `output` for reporters that hold lines by stream position
 * (the AWS log forwarder and completion drain): they pick the lines after the stored position, and
 * pick again if another writer stored there first, so no line is stored twice.
 */
export type ExecutionReports = Required<ExecutionEvents> & {
  outputAfter(key: JobKey, pick: PickAfter, hints?: OutputHints): Promise<void>;
  settled(key: JobKey): Promise<void>;
};

export type { OutputHints, PickAfter };

/**
 * The one way reports enter the core: output, exits and host keys from every launcher (and on AWS
 * from the completion and log-forwarder handlers) go to the execution recorder, through one retry
 * policy, with failures logged in one shape. It needs no launcher, so a composition root builds it
 * first, hands it to the launchers, then builds the control plane with the same reports.
 * @example
 * const reports = createExecutionReports({ ...deps, retry: createBackoffRetry() });
 * const launcher = createDockerLauncher({ events: reports, logger });
 * const cp = createControlPlane({ ...deps, launcher }, { reports });
 */
export const createExecutionReports = (deps: ReportDeps): ExecutionReports => {
  // Storing lines and ending jobs never wait on subscribers: the recorder's pushes run in the background.
  const background = scheduleDeliveries(createLiveFeed(deps), deps.logger);
  const recorder = createExecutionRecorder(
    deps,
    background,
    createLifecycle(deps, background, createJobHooks(deps)),
    createVariables(deps),
    createServers(deps),
  );
  const retry = deps.retry ?? noRetry;
  const reports = withReportRetry(recorder, { retry, logger: deps.logger });
  return {
    ...reports,
    outputAfter: async (key, pick, hints) => {
      try {
        await retry.execute(() => recorder.outputAfter(key, pick, hints));
      } catch (err) {
        deps.logger.error({ err, jobId: key.jobId, report: 'output' }, 'the output report could not be recorded');
        throw err;
      }
    },
  };
};
