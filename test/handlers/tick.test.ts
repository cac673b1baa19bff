import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import { createTickHandler, ScheduledEventSchema } from '../../lambdas/handlers/tick';
import { createTestDeps } from '../helpers/memory/createTestDeps';

/** A scheduled event as EventBridge delivers it for a `rate(1 minute)` rule. */
const scheduledEvent = (time = '2030-01-01T00:01:00Z') => ({
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time,
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/cronium-tick'],
  detail: {},
});

describe('the tick handler', () => {
  it('accepts the scheduled event EventBridge sends', () => {
    expect(ScheduledEventSchema.safeParse(scheduledEvent()).success).toBe(true);
  });

  it('ends a running job whose execution is gone, as lost', async () => {
    // Arrange
    const deps = createTestDeps();
    const cp = createControlPlane(deps);
    const caller = { tenant: 'acme', role: 'user' as const };
    const job = await cp.jobs.submit(caller, { runtime: 'bash', script: 'true' });
    await cp.dispatch({ tenant: 'acme', jobId: job.id });
    deps.launcher.setExecutions([]);
    deps.clock.advance(60_000);

    // Act
    const report = await createTickHandler(cp)(scheduledEvent());

    // Assert
    expect(report).toMatchObject({ lost: 1 });
    expect(await cp.jobs.get(caller, job.id)).toMatchObject({ status: 'failed', error: { code: 'lost' } });
  });

  it('does nothing for an event that is not a scheduled event', async () => {
    // Arrange
    let ticks = 0;
    const cp = {
      tick: async () => {
        ticks++;
        return {
          resumed: 0,
          requeued: 0,
          lost: 0,
          timedOut: 0,
          orphansStopped: 0,
          slotsFreed: 0,
          reoffered: 0,
          eventSlotsFreed: 0,
          eventWaitingOffered: 0,
          waitingOffered: 0,
          queuedRecounted: 0,
        };
      },
    };

    // Act
    const outcome = await createTickHandler(cp)({ ...scheduledEvent(), source: 'aws.ecs' });

    // Assert
    expect(outcome).toEqual({ ignored: 'not a scheduled event' });
    expect(ticks).toBe(0);
  });
});
