import { z } from 'zod';
import { NotifyOns } from '../../core';
import { toolAction } from './toolSchemas';

/** Rules of one event, job, schedule or workflow at most. */
const MAX_RULES = 10;

/** `notify`: on these moments of a job, perform this tool action (docs/notifications.md). */
export const notifyRules = z
  .array(
    z
      .object({
        on: z.array(z.enum(NotifyOns, { error: `must be one of ${NotifyOns.join(', ')}` })).min(1, 'must name at least one moment'),
        action: toolAction,
      })
      .strict(),
  )
  .max(MAX_RULES, `must have at most ${MAX_RULES} rules`);
