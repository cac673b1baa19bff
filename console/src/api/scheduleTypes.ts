// Schedules as the REST API returns them (README.md, "The API": /schedules).

export interface ScheduleTarget {
  eventId?: string;
  workflowId?: string;
}

export const dstPolicies = ['skip', 'shift'] as const;
export type DstPolicy = (typeof dstPolicies)[number];

/** The timing fields `POST /schedules/preview` takes; exactly one of cron, at, rate. */
export interface ScheduleTiming {
  cron?: string;
  at?: string;
  rate?: string;
  timezone?: string;
  dst?: DstPolicy;
  startAt?: string;
  endAt?: string;
}

export interface Schedule extends ScheduleTiming {
  id: string;
  name: string;
  target: ScheduleTarget;
  timezone: string;
  enabled: boolean;
  catchUp: string;
  overlap: string;
  dst: DstPolicy;
  nextFireAt?: string;
  lastJobId?: string;
  createdAt: string;
  updatedAt: string;
}

/** A fire time in UTC and in the schedule's zone (ISO with its offset). */
export interface FireTime {
  utc: string;
  local: string;
}

export interface ScheduleFire {
  fireAt: string;
  status: 'claimed' | 'submitted' | 'skipped' | 'failed';
  jobId?: string;
  workflowRunId?: string;
  reason?: string;
}

export interface ScheduleDetails extends Schedule {
  nextFires: FireTime[];
  lastFires: ScheduleFire[];
}

export interface SchedulePreview {
  nextFires: FireTime[];
}

/** How the schedule's timing reads: its cron, `at …` or `every …`. */
export const timingText = (s: ScheduleTiming): string => (s.cron ? s.cron : s.at ? `at ${s.at}` : s.rate ? `every ${s.rate}` : '—');
