// setTimeout fires at once for delays past 2^31-1 ms, so long deadlines are reached in hops.
const MaxTimerMs = 2_147_483_647;

/**
 * Calls `onDeadline` once when `deadlineAt` (epoch ms) passes, at once if it already has.
 * @returns a function that cancels the timer.
 */
export const armDeadline = (deadlineAt: number | undefined, onDeadline: () => void, now = Date.now): (() => void) => {
  if (deadlineAt === undefined) return () => {};
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    const left = deadlineAt - now();
    if (left <= 0) {
      timer = undefined;
      onDeadline();
      return;
    }
    timer = setTimeout(schedule, Math.min(left, MaxTimerMs));
  };
  // Deferred so the caller finishes wiring up before a past deadline fires.
  timer = setTimeout(schedule, 0);
  return () => clearTimeout(timer);
};
