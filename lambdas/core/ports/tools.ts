import type { NotificationRecord } from '../notifications/notificationModel';
import type { ToolAction } from '../tools/toolModel';

/** What performing a tool action needs besides the action: secret values, decrypted, never logged. */
export interface ToolSecrets {
  /** The values of the variables the action names (variablesOf). */
  variables: Record<string, unknown>;
  /** The tenant's webhook signing secret (webhook actions only). */
  signingSecret?: string;
}

/** How a tool action went: `ok` false is a refusal by the receiver (a non-2xx answer). */
export interface ToolActionResult {
  ok: boolean;
  /** One line for the job's log and a notification's error: `POST https://… answered 500`. */
  summary: string;
  /** The receiver's answer (status, body start), a tool job's output. */
  response?: Record<string, unknown>;
}

/**
 * Performs tool actions (webhook, Slack, Discord, email): renders the action's templates with
 * `data` (logic-less, no code runs) and sends it.
 */
export interface ToolActions {
  /**
   * @throws ControlPlaneError (`http_error` for a refused address or a transport failure,
   * `invalid_input` for an action that cannot be rendered or sent) when nothing was delivered.
   */
  perform(action: ToolAction, data: Record<string, unknown>, secrets: ToolSecrets, signal?: AbortSignal): Promise<ToolActionResult>;
}

/** Notifications of jobs and each tenant's webhook signing secret. */
export interface ToolStore {
  /** Creates a notification unless one with its job and id exists. @returns whether it created it. */
  createNotification(record: NotificationRecord): Promise<boolean>;
  /** Replaces a notification if the stored one still has version `record.version - 1`. @returns false otherwise. */
  updateNotification(record: NotificationRecord): Promise<boolean>;
  /** A job's notifications, by id. */
  listNotifications(tenant: string, jobId: string): Promise<NotificationRecord[]>;
  /**
   * Pending notifications of every tenant whose `nextAttemptAt` is at or before `until` (ISO),
   * soonest first. Read from an index: re-check what comes back.
   */
  dueNotifications(until: string, limit: number): Promise<NotificationRecord[]>;
  /** The tenant's signing secret, encrypted. */
  getSigningSecret(tenant: string): Promise<string | undefined>;
  /** Stores it unless one exists. @returns whether this call stored it. */
  putSigningSecret(tenant: string, ciphertext: string): Promise<boolean>;
}
