import type { Job, Runtime, TerminalStatus } from '../model';
import type { Histogram } from './logHistogram';
import { bucketOf } from './logHistogram';

/** What one hour holds for one runtime: ended jobs by status and error code, durations and queue waits. */
export interface StatsCounts {
  byStatus: Partial<Record<TerminalStatus, number>>;
  byErrorCode: Record<string, number>;
  /** Run time (start to end) of the jobs that started. */
  durations: Histogram;
  /** Queue wait (submission, or planned fire time, to first start) of the jobs that started. */
  waits: Histogram;
}

/** The aggregates of one tenant (or one of its events) for one hour (UTC), by runtime. */
export interface StatsBucket {
  /** `YYYY-MM-DDTHH`, UTC. */
  hour: string;
  /** Set on an event's bucket. */
  eventId?: string;
  /** The event's name when its latest job ended. */
  eventName?: string;
  byRuntime: Partial<Record<Runtime, StatsCounts>>;
}

/** One ended job as the aggregates count it: counters to add, histogram buckets to add one to. */
export interface StatsEntry {
  tenant: string;
  hour: string;
  eventId?: string;
  eventName?: string;
  runtime: Runtime;
  status: TerminalStatus;
  errorCode?: string;
  durationBucket?: number;
  waitBucket?: number;
}

/** Error codes name counters: anything that is not a short snake_case code is counted as `other`. */
const ERROR_CODE = /^[a-z][a-z0-9_]{0,39}$/;

/** The hour (UTC) an ISO time or epoch ms falls in: `YYYY-MM-DDTHH`. */
export const hourOf = (time: string | number): string => new Date(time).toISOString().slice(0, 13);

const msBetween = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
};

/**
 * When the job first started: the earliest start of its recorded attempts (retries keep them) or its
 * own. Read structurally, so a job stored before attempts existed reads the same.
 */
const firstStartOf = (job: Job): string | undefined => {
  const attempts = (job as { attempts?: readonly { startedAt?: string }[] }).attempts ?? [];
  const starts = [...attempts.map((a) => a.startedAt), job.startedAt].filter((s): s is string => typeof s === 'string');
  return starts.sort()[0];
};

/** How an ended job counts; `endedAt` (epoch ms) stands in for a missing `finishedAt`. */
export const statsEntryOf = (job: Job & { status: TerminalStatus }, endedAt: number): StatsEntry => {
  const started = firstStartOf(job);
  const duration = job.startedAt ? (job.durationMs ?? msBetween(job.startedAt, job.finishedAt)) : undefined;
  const wait = msBetween(job.scheduledAt ?? job.createdAt, started);
  const code = job.error?.code;
  return {
    tenant: job.tenant,
    hour: hourOf(job.finishedAt ?? endedAt),
    ...(job.eventId ? { eventId: job.eventId, ...(job.eventName ? { eventName: job.eventName } : {}) } : {}),
    runtime: job.runtime,
    status: job.status,
    ...(code ? { errorCode: ERROR_CODE.test(code) ? code : 'other' } : {}),
    ...(duration !== undefined ? { durationBucket: bucketOf(duration) } : {}),
    ...(wait !== undefined ? { waitBucket: bucketOf(wait) } : {}),
  };
};
