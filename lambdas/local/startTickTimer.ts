import type { Logger } from '../core';

/** The tick handler as it is exported for EventBridge: it takes the scheduled event. */
export type TickHandler = (event: unknown) => Promise<unknown>;

export interface TickTimer {
  /** Stops ticking and resolves once a tick in flight has finished. */
  stop(): Promise<void>;
}

/** What EventBridge sends a `rate(…)` rule's target, so the local timer drives the very same handler. */
export const scheduledEvent = (at: Date, region = 'local') => ({
  version: '0',
  id: `local-tick-${at.getTime()}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region,
  resources: [`arn:aws:events:${region}:000000000000:rule/cronium-tick`],
  detail: {},
});

/**
 * Invokes the tick handler every `intervalMs` with a scheduled event, as EventBridge does on AWS.
 * Ticks never overlap: the next one is timed from the end of the last.
 */
export const startTickTimer = (o: { handler: TickHandler; intervalMs: number; logger: Pick<Logger, 'error'> }): TickTimer => {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = o
        .handler(scheduledEvent(new Date()))
        .then(
          () => undefined,
          (err: unknown) => o.logger.error({ err }, 'tick failed'),
        )
        .finally(schedule);
    }, o.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
    },
  };
};
