import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import type { ControlPlane, Logger } from '../core';
import { silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';

/** An EventBridge scheduled event (`rate(1 minute)`), as the rule delivers it and the local timer imitates it. */
export const ScheduledEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/** What one tick did (the core's report), or why it did nothing. */
export type TickOutcome = Awaited<ReturnType<ControlPlane['tick']>> | { ignored: string };

/**
 * The one tick of both homes: EventBridge `rate(1 minute)` on AWS, a timer in the local runtime,
 * with the same event shape. It runs the core's tick (deadlines, lost executions, lost messages,
 * slots of ended jobs, waiting jobs for free slots). A failure throws, so the invocation shows as
 * failed; the next tick does the same work again, so nothing is retried here.
 */
export const createTickHandler = (cp: Pick<ControlPlane, 'tick'>, logger: Logger = silentLogger) => {
  return async (event: unknown): Promise<TickOutcome> => {
    const parsed = ScheduledEventSchema.safeParse(event);
    if (!parsed.success) {
      logger.error({ issues: parsed.error.issues }, 'ignoring an event that is not a scheduled event');
      return { ignored: 'not a scheduled event' };
    }
    const report = await cp.tick();
    logger.info({ ...report, scheduledAt: parsed.data.time }, 'tick');
    return report;
  };
};

/** Lambda entry point (EventBridge rule target), wired to AWS on first use. */
export const handler = lazyHandler<ScheduledEvent, TickOutcome>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  return createTickHandler(cp, logger);
});
