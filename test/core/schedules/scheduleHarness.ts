import type { Caller, Schedule } from '../../../lambdas/core';
import type { ScheduleRequest } from '../../../lambdas/core/schedules/createScheduleUseCases';
import { callerFactory } from '../../helpers/factories';
import { createHarness, type Harness } from '../../helpers/memory/createHarness';
import type { TestDepsOverrides } from '../../helpers/memory/createTestDeps';

export const acme: Caller = callerFactory({ tenant: 'acme' });
export const globex: Caller = callerFactory({ tenant: 'globex' });

/** `2030-01-01T<hh:mm:ss>Z` in epoch ms (the fake clock starts at 2030-01-01T00:00Z). */
export const at = (hms: string) => Date.parse(`2030-01-01T${hms}Z`);
export const iso = (hms: string) => new Date(at(hms)).toISOString();

export interface ScheduleHarness extends Harness {
  eventId: string;
  /** Creates a schedule of the harness's event for acme (every 5 minutes in UTC unless told). */
  schedule(request?: Partial<ScheduleRequest>): Promise<Schedule>;
  /** Runs one tick at `hms`. */
  tickAt(hms: string): ReturnType<Harness['cp']['tick']>;
  /** Acme's jobs, oldest first. */
  jobs(): Promise<{ id: string; scheduledAt?: string; scheduleId?: string; status: string }[]>;
}

export const createScheduleHarness = async (overrides: TestDepsOverrides = {}): Promise<ScheduleHarness> => {
  const h = createHarness(overrides);
  const event = await h.cp.events.create(acme, { name: 'nightly', runtime: 'bash', script: 'echo hi' });
  return {
    ...h,
    eventId: event.id,
    schedule: (request = {}) =>
      h.cp.schedules.create(acme, { name: 'every five', target: { eventId: event.id }, cron: '*/5 * * * *', ...request }),
    tickAt(hms) {
      h.clock.set(at(hms));
      return h.cp.tick();
    },
    async jobs() {
      return (await h.store.jobs.list('acme', { limit: 1000 })).items.reverse();
    },
  };
};
