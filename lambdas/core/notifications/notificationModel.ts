import type { ToolAction } from '../tools/toolModel';

/** What a notification can follow; `started` is the move to `running`, the others terminal statuses. */
export const NotifyOns = ['started', 'completed', 'failed', 'timeout', 'cancelled'] as const;
export type NotifyOn = (typeof NotifyOns)[number];

/** One rule of an event's (or job's) `notify`: on these moments, perform this tool action. */
export interface NotifyRule {
  on: NotifyOn[];
  action: ToolAction;
}

export const NotificationStatuses = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NotificationStatuses)[number];

/**
 * One notification of one job: one rule on one moment. A single item, written with a version check;
 * `pending` ones are in an index by `nextAttemptAt` so the tick finds those due.
 */
export interface NotificationRecord {
  tenant: string;
  jobId: string;
  /** `<rule index>-<on>`: unique per job, so a repeated status change makes no second notification. */
  id: string;
  on: NotifyOn;
  action: ToolAction;
  /** What the action is rendered with: the job as it was at that moment, secrets masked. */
  payload: Record<string, unknown>;
  status: NotificationStatus;
  attempts: number;
  lastError?: string;
  createdAt: string;
  /** ISO; when a pending one is tried next. */
  nextAttemptAt?: string;
  /** Epoch ms until which one sender holds it (an attempt in flight). */
  leaseUntil?: number;
  sentAt?: string;
  version: number;
}

/** A notification as `GET /jobs/{id}` shows it. */
export interface NotificationView {
  on: NotifyOn;
  action: string;
  status: NotificationStatus;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: string;
  sentAt?: string;
}

/** How notifications are retried; every field has a default (docs/notifications.md). */
export interface NotificationSettings {
  /** Attempts in all, the first included, before a notification is marked failed. @default 5 */
  maxAttempts: number;
  /** Wait before the second attempt; each next one waits `backoffFactor` times longer. @default 5 s */
  backoffMs: number;
  /** @default 4 */
  backoffFactor: number;
  /** Longest wait between two attempts. @default 10 min */
  maxBackoffMs: number;
  /** One attempt is abandoned after this long. @default 10 s */
  attemptTimeoutMs: number;
  /** Log lines in a payload's excerpt (the last ones). @default 20 */
  excerptLines: number;
}

export const defaultNotificationSettings: NotificationSettings = {
  maxAttempts: 5,
  backoffMs: 5_000,
  backoffFactor: 4,
  maxBackoffMs: 10 * 60_000,
  attemptTimeoutMs: 10_000,
  excerptLines: 20,
};
