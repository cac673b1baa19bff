import { ErrorCodes, type ExitReport } from '../../core';
import { CroniumStopReason } from './stopReasons';
import { JobTaskContract } from './taskContract';
import type { EcsTaskStateChangeDetail } from './taskStateChange';

/** Exit code of a process ended by SIGKILL: what the kernel's OOM killer sends. */
const KilledExitCode = 137;

/** Stopped reasons (or container reasons) of a task that never ran the job's script. */
const LaunchFailure =
  /TaskFailedToStart|CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateVolumeError/;

/** An exit code for endings where the script never ran or its code is unknown (as the SSH launcher reports). */
const NoExitCode = -1;

/**
 * The exit report of a STOPPED job task, from its task state change event alone (no ECS call):
 *
 * - a stop of ours (`stoppedReason` is {@link CroniumStopReason}) is a timeout: cancelling ends the
 *   job `cancelled` BEFORE it calls StopTask, so this report finds it ended and changes nothing, while
 *   the reaper calls StopTask and only then ends the job `timeout`, so a report that overtakes it must
 *   say the same;
 * - a task that never ran the script (`TaskFailedToStart`, an image pull or ENI/volume set-up error)
 *   is a `launch_failed` failure carrying ECS's reason;
 * - `OutOfMemoryError` in the container's reason, or exit 137 when nobody stopped the task (only the
 *   OOM killer SIGKILLs a container ECS did not stop), is `oomKilled`;
 * - a task stopped by anyone else, or without the job container's exit code, is `lost`;
 * - otherwise the job container's exit code.
 *
 * `outputs` are not here: they come from the S3 workspace, read by the caller.
 */
export const stoppedTaskReport = (detail: EcsTaskStateChangeDetail): ExitReport => {
  const container = detail.containers.find((c) => c.name === JobTaskContract.containerName);
  const exitCode = container?.exitCode;
  const reason = detail.stoppedReason ?? '';
  const containerReason = container?.reason ?? '';
  const base = { exitCode: exitCode ?? NoExitCode, oomKilled: false, timedOut: false };

  if (reason === CroniumStopReason) return { ...base, timedOut: true };
  if (exitCode === undefined && (detail.stopCode === 'TaskFailedToStart' || LaunchFailure.test(`${reason} ${containerReason}`))) {
    const why = [reason, containerReason].filter(Boolean).join('; ') || 'no reason given';
    return { ...base, failure: { code: ErrorCodes.launchFailed, message: `the task did not start: ${why}` } };
  }
  const stoppedByOthers = detail.stopCode === 'UserInitiated' || detail.stopCode === 'ServiceSchedulerInitiated';
  if (/OutOfMemoryError/.test(containerReason) || (exitCode === KilledExitCode && !stoppedByOthers)) {
    return { ...base, exitCode: exitCode ?? KilledExitCode, oomKilled: true };
  }
  if (exitCode === undefined || stoppedByOthers || detail.stopCode === 'SpotInterruption' || detail.stopCode === 'TerminationNotice') {
    const why = reason || containerReason || 'no reason given';
    return { ...base, failure: { code: ErrorCodes.lost, message: `its task was stopped outside Cronium: ${why}` } };
  }
  return base;
};
