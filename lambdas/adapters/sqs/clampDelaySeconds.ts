/** The largest `DelaySeconds` SQS accepts (15 minutes). */
export const MAX_DELAY_SECONDS = 900;

/**
 * Turns a requested delay into one SQS accepts: an integer in 0..900.
 * Fractions round up, so a message is never due earlier than asked; NaN means no delay.
 */
export const clampDelaySeconds = (seconds: number): number => {
  if (Number.isNaN(seconds)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(seconds)));
};
