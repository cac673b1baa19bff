import { describe, expect, it } from 'vitest';
import { ScheduledEventSchema } from '../../lambdas/handlers/tick';
import { scheduledEvent, startTickTimer } from '../../lambdas/local/startTickTimer';
import { silentLogger } from '../../lambdas/core';

describe('the local tick timer', () => {
  it('sends the tick handler events it accepts as EventBridge scheduled events', () => {
    expect(ScheduledEventSchema.safeParse(scheduledEvent(new Date())).success).toBe(true);
  });

  it('invokes the handler every interval, never two at once, and stops after the tick in flight', async () => {
    // Arrange
    let calls = 0;
    let running = 0;
    let overlapped = false;
    const handler = async () => {
      calls++;
      running++;
      overlapped ||= running > 1;
      await new Promise((r) => setTimeout(r, 15));
      running--;
    };

    // Act
    const timer = startTickTimer({ handler, intervalMs: 5, logger: silentLogger });
    await new Promise((r) => setTimeout(r, 120));
    await timer.stop();
    const atStop = calls;
    await new Promise((r) => setTimeout(r, 50));

    // Assert
    expect(atStop).toBeGreaterThanOrEqual(2);
    expect(overlapped).toBe(false);
    expect(running).toBe(0);
    expect(calls).toBe(atStop);
  });
});
