/** Why a run is being stopped before its script ended by itself. */
export type StopReason = 'timeout' | 'cancel';

/** One signal for both ways a run stops early: its deadline passing, or the caller aborting. */
export interface StopSignal {
  readonly signal: AbortSignal;
  /** The first reason that fired, if any. */
  readonly reason: StopReason | undefined;
  /** Clears the deadline timer and the caller's listener. */
  dispose(): void;
}

/**
 * Combines a deadline (epoch ms) and a cancel signal: `signal` aborts at whichever comes first,
 * and `reason` says which one it was.
 */
export const createStopSignal = (o: { deadlineAt?: number; cancel?: AbortSignal; now?: () => number }): StopSignal => {
  const now = o.now ?? Date.now;
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const stop = (r: StopReason) => {
    if (reason) return;
    reason = r;
    controller.abort(new Error(r === 'timeout' ? 'deadline passed' : 'cancelled'));
  };
  const onCancel = () => stop('cancel');
  if (o.cancel?.aborted) stop('cancel');
  else o.cancel?.addEventListener('abort', onCancel, { once: true });

  let timer: NodeJS.Timeout | undefined;
  if (o.deadlineAt !== undefined && !reason) {
    const wait = o.deadlineAt - now();
    if (wait <= 0) stop('timeout');
    // setTimeout's limit is ~24.8 days; a later deadline is re-armed when that timer fires.
    else {
      const arm = (ms: number) => {
        timer = setTimeout(
          () => {
            const left = o.deadlineAt! - now();
            if (left <= 0) stop('timeout');
            else arm(left);
          },
          Math.min(ms, 2 ** 31 - 1),
        );
      };
      arm(wait);
    }
  }
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    dispose() {
      clearTimeout(timer);
      o.cancel?.removeEventListener('abort', onCancel);
    },
  };
};
