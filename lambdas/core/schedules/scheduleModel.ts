import type { NotifyRule } from '../notifications/notificationModel';

/** What happens to fires missed while the control plane was down: none run, the latest runs once, or each runs (bounded). */
export const CatchUpPolicies = ['none', 'latest', 'all'] as const;
export type CatchUpPolicy = (typeof CatchUpPolicies)[number];

/** What a fire does while the schedule's previous run is still going. */
export const OverlapPolicies = ['allow', 'skip', 'queue'] as const;
export type OverlapPolicy = (typeof OverlapPolicies)[number];

/** What a wall-clock fire time that does not exist (a spring-forward gap) becomes: skipped, or run at the gap's end. */
export const DstPolicies = ['skip', 'shift'] as const;
export type DstPolicy = (typeof DstPolicies)[number];

/** What a schedule starts: a run of an event, or a run of a workflow. */
export type ScheduleTarget = { eventId: string; workflowId?: undefined } | { workflowId: string; eventId?: undefined };

/** A saved schedule. Exactly one of `cron`, `at`, `rate` is set. `version` guards every write. */
export interface Schedule {
  tenant: string;
  id: string;
  name: string;
  target: ScheduleTarget;
  /** Standard 5-field cron, or AWS's `cron(min hour dom month dow year)`. */
  cron?: string;
  /** One fire, ISO 8601; without an offset it is read in `timezone`. */
  at?: string;
  /** `N minutes|hours|days` (or `rate(…)`), fixed durations from `startAt` or the creation time. */
  rate?: string;
  /** IANA zone the cron fields and an offset-less `at` are read in. */
  timezone: string;
  enabled: boolean;
  /** The input of every job it starts. */
  input?: unknown;
  /** Rules every job (or workflow run) it starts follows, after its event's (or workflow's) own. */
  notify?: NotifyRule[];
  catchUp: CatchUpPolicy;
  overlap: OverlapPolicy;
  dst: DstPolicy;
  /** No fire before this instant (ISO with offset). */
  startAt?: string;
  /** No fire after this instant (ISO with offset). */
  endAt?: string;
  /** The next fire not yet handed to the queue (UTC ISO); absent when disabled or finished. */
  nextFireAt?: string;
  /** `overlap: queue`: a fire that waits for the previous run to end (it equals `nextFireAt`). */
  heldFireAt?: string;
  /** The job (or workflow run) of the latest fire, which the overlap policy looks at. */
  lastJobId?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * How a fire ended: `claimed` (taken, its job not yet recorded: the next tick completes it),
 * `submitted` (its job exists), `skipped` (overlap), `failed` (its event is gone).
 */
export const FireStatuses = ['claimed', 'submitted', 'skipped', 'failed'] as const;
export type FireStatus = (typeof FireStatuses)[number];

/** One fire of a schedule, claimed with a conditional write keyed by schedule id and fire time. */
export interface ScheduleFire {
  tenant: string;
  scheduleId: string;
  /** The planned fire time (UTC ISO): the job's `scheduledAt`. */
  fireAt: string;
  status: FireStatus;
  claimedAt: string;
  /**
   * Chosen when the fire is claimed, so whoever completes it creates the same job, once. For a
   * workflow target it is the id of the workflow run (also in `workflowRunId`).
   */
  jobId?: string;
  /** The workflow run the fire started, for a workflow target. */
  workflowRunId?: string;
  submittedAt?: string;
  reason?: string;
}
