import type { ContainerInspectInfo } from 'dockerode';
import type { ExitReport } from '../../core';

/** Exit code of a process ended by SIGKILL, which is how a deadline ends a container. */
export const KilledExitCode = 137;

/**
 * The exit report of a stopped container.
 *
 * `timedOut` is true when this launcher killed it at its deadline, and also when it was
 * SIGKILLed after its deadline while nobody followed it (a launcher that killed it and then
 * went away before reporting), so a reattach reports the timeout that really happened.
 */
export const toExitReport = (
  info: Pick<ContainerInspectInfo, 'State'>,
  o: { killedAtDeadline: boolean; deadlineAt?: number },
): ExitReport => {
  const exitCode = info.State.ExitCode;
  const oomKilled = info.State.OOMKilled === true;
  const finishedAt = Date.parse(info.State.FinishedAt);
  const endedPastDeadline =
    o.deadlineAt !== undefined && !Number.isNaN(finishedAt) && finishedAt >= o.deadlineAt && exitCode === KilledExitCode && !oomKilled;
  return { exitCode, oomKilled, timedOut: o.killedAtDeadline || endedPastDeadline };
};
