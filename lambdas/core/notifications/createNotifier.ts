import type { CoreDeps } from '../deps';
import type { JobHook } from '../jobs/jobHook';
import { isTerminal, type Job, type JobStatus } from '../model';
import { createToolRunner, type ToolDeps } from '../tools/createToolRunner';
import { describeAction } from '../tools/toolModel';
import { createVariables } from '../variables/createVariables';
import { createMasker } from '../workspace/createMasker';
import { maskValue } from '../workspace/maskValue';
import {
  defaultNotificationSettings,
  NotifyOns,
  type NotificationRecord,
  type NotificationSettings,
  type NotificationView,
  type NotifyOn,
  type NotifyRule,
} from './notificationModel';
import type { WorkflowRun } from '../workflows/workflowModel';

/** Most characters of one excerpt line and of a notification's `lastError`. */
const MAX_TEXT = 1_000;
/** Pending notifications one tick retries at most. */
const DUE_PER_TICK = 50;

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

/** The moment a change of status is, for notify rules; undefined when it is none of them. */
export const momentOf = (job: Job, from: JobStatus | undefined): NotifyOn | undefined => {
  if (from === job.status) return undefined;
  if (job.status === 'running') return 'started';
  return isTerminal(job.status) ? job.status : undefined;
};

const viewOf = (r: NotificationRecord): NotificationView => ({
  on: r.on,
  action: describeAction(r.action),
  status: r.status,
  attempts: r.attempts,
  ...(r.lastError !== undefined ? { lastError: r.lastError } : {}),
  ...(r.status === 'pending' && r.nextAttemptAt ? { nextAttemptAt: r.nextAttemptAt } : {}),
  ...(r.sentAt ? { sentAt: r.sentAt } : {}),
});

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Notifications: a job hook records one pending notification per matching rule (one conditional
 * put each, the only thing the job's transition waits for) and tries it once in the background;
 * the tick retries the due ones with exponential backoff until `maxAttempts`, then marks them
 * failed. A notification never changes the job: its outcome lives in its own item.
 */
export const createNotifier = (deps: Pick<CoreDeps, 'store' | 'cipher' | 'ids' | 'clock' | 'logger'> & { tools: ToolDeps }) => {
  const { store, clock, logger, tools } = deps;
  const settings: NotificationSettings = { ...defaultNotificationSettings, ...tools.settings };
  const runner = createToolRunner(deps);
  const variables = createVariables(deps);
  const inFlight = new Set<Promise<void>>();

  const maskerOf = async (tenant: string) => createMasker(await variables.secretsOf(tenant));

  /** The payload: the job at that moment, with the last lines of its log, every secret masked. */
  const payloadOf = async (job: Job, on: NotifyOn): Promise<Record<string, unknown>> => {
    const mask = await maskerOf(job.tenant);
    let logExcerpt: string[] = [];
    if (on !== 'started') {
      const key = { tenant: job.tenant, jobId: job.id };
      const { lastSeq } = await store.logs.tail(key);
      const lines = await store.logs.read(key, Math.max(0, lastSeq - settings.excerptLines), settings.excerptLines);
      logExcerpt = lines.slice(-settings.excerptLines).map((l) => clip(l.line));
    }
    const payload = {
      event: on,
      jobId: job.id,
      status: job.status,
      ...(job.eventId ? { eventId: job.eventId, eventName: job.eventName } : {}),
      ...(job.scheduleId ? { scheduleId: job.scheduleId } : {}),
      runtime: job.runtime,
      exitCode: job.exitCode ?? null,
      error: job.error ?? null,
      durationMs: job.durationMs ?? null,
      createdAt: job.createdAt,
      startedAt: job.startedAt ?? null,
      finishedAt: job.finishedAt ?? null,
      output: job.output ?? null,
      logExcerpt,
    };
    return maskValue(payload, mask) as Record<string, unknown>;
  };

  /** A run's payload: the run and each step's ending, secrets masked. */
  const runPayloadOf = async (run: WorkflowRun, on: NotifyOn): Promise<Record<string, unknown>> => {
    const mask = await maskerOf(run.tenant);
    const finishedAt = run.finishedAt ?? null;
    const payload = {
      event: on,
      workflowRunId: run.id,
      workflowId: run.workflowId,
      workflowName: run.workflowName,
      status: run.status,
      reason: run.reason ?? null,
      attempt: run.attempt,
      ...(run.scheduleId ? { scheduleId: run.scheduleId } : {}),
      createdAt: run.createdAt,
      finishedAt,
      durationMs: finishedAt ? Date.parse(finishedAt) - Date.parse(run.createdAt) : null,
      steps: run.nodes.map((n) => {
        const step = run.steps[n.id];
        return {
          nodeId: n.id,
          status: step?.status ?? 'pending',
          jobId: step?.jobId ?? null,
          error: step?.error ?? null,
          ...(step?.skipReason ? { skipReason: step.skipReason } : {}),
        };
      }),
    };
    return maskValue(payload, mask) as Record<string, unknown>;
  };

  const backoffAfter = (attempts: number) =>
    Math.min(settings.maxBackoffMs, settings.backoffMs * settings.backoffFactor ** Math.max(0, attempts - 1));

  /** One attempt, if the notification is still pending and no one else is trying it. Never rejects. */
  const attempt = async (record: NotificationRecord): Promise<void> => {
    const now = clock.now();
    if (record.status !== 'pending' || (record.leaseUntil ?? 0) > now) return;
    const leased: NotificationRecord = { ...record, leaseUntil: now + settings.attemptTimeoutMs * 2, version: record.version + 1 };
    if (!(await tools.store.updateNotification(leased))) return;

    let error: string | undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`gave up after ${settings.attemptTimeoutMs} ms`)), settings.attemptTimeoutMs);
    try {
      const result = await runner.perform(record.tenant, record.action, record.payload, {
        field: 'notify.action',
        signal: controller.signal,
      });
      if (!result.ok) error = result.summary;
    } catch (err) {
      error = controller.signal.aborted ? messageOf(controller.signal.reason) : messageOf(err);
    } finally {
      clearTimeout(timer);
    }

    const attempts = record.attempts + 1;
    const at = clock.now();
    const { leaseUntil: _lease, nextAttemptAt: _next, ...rest } = leased;
    let next: NotificationRecord;
    if (error === undefined) {
      next = { ...rest, status: 'sent', attempts, sentAt: new Date(at).toISOString(), version: leased.version + 1 };
    } else {
      const lastError = clip((await maskerOf(record.tenant))(error));
      next =
        attempts >= settings.maxAttempts
          ? { ...rest, status: 'failed', attempts, lastError, version: leased.version + 1 }
          : {
              ...rest,
              status: 'pending',
              attempts,
              lastError,
              nextAttemptAt: new Date(at + backoffAfter(attempts)).toISOString(),
              version: leased.version + 1,
            };
      logger.warn(
        { jobId: record.jobId, tenant: record.tenant, notification: record.id, attempts, status: next.status },
        'a notification failed',
      );
    }
    await tools.store.updateNotification(next);
  };

  /** Runs an attempt in the background; its failure is logged, never thrown at the job. */
  const inBackground = (record: NotificationRecord) => {
    const p: Promise<void> = attempt(record)
      .catch((err: unknown) => logger.warn({ err, jobId: record.jobId, tenant: record.tenant }, 'a notification attempt broke'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  /**
   * Records one pending notification per rule of `rules` that follows `on` (one conditional put each)
   * and tries each once in the background. `key` is the job or run they belong to; `suffix` makes a
   * moment that may come again (a retried run) a new notification.
   */
  const recordAll = async (
    tenant: string,
    key: string,
    rules: readonly NotifyRule[],
    on: NotifyOn,
    payload: () => Promise<Record<string, unknown>>,
    suffix = '',
  ): Promise<void> => {
    const matching = rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => rule.on.includes(on));
    if (matching.length === 0) return;
    const body = await payload();
    const now = new Date(clock.now()).toISOString();
    for (const { rule, index } of matching) {
      const record: NotificationRecord = {
        tenant,
        jobId: key,
        id: `${index}-${on}${suffix}`,
        on,
        action: rule.action,
        payload: body,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        nextAttemptAt: now,
        version: 1,
      };
      // A repeated change (a duplicate report) finds it created: no second notification.
      if (await tools.store.createNotification(record)) inBackground(record);
    }
  };

  const hook: JobHook = {
    name: 'notifications',
    async changed(job, from) {
      if (!job.notify?.length) return;
      const on = momentOf(job, from);
      if (!on) return;
      await recordAll(job.tenant, job.id, job.notify, on, () => payloadOf(job, on));
    },
  };

  return {
    hook,
    /**
     * A workflow run started or ended (`started`, `completed`, `failed`, `cancelled`): its rules that
     * follow that moment make notifications, kept under the run's id, one per rule, moment and attempt.
     */
    async runChanged(run: WorkflowRun, on: NotifyOn): Promise<void> {
      if (!run.notify?.length) return;
      await recordAll(run.tenant, run.id, run.notify, on, async () => runPayloadOf(run, on), `-${run.attempt}`);
    },
    /** Tries the pending notifications that are due (the tick). @returns how many it tried. */
    async retryDue(): Promise<number> {
      const due = await tools.store.dueNotifications(new Date(clock.now()).toISOString(), DUE_PER_TICK);
      for (const record of due) await attempt(record);
      return due.length;
    },
    /** A job's (or a workflow run's) notifications as the API shows them, in the order they were made. */
    async list(tenant: string, jobId: string): Promise<NotificationView[]> {
      const order = (r: NotificationRecord) => `${r.createdAt}#${NotifyOns.indexOf(r.on)}#${r.id.padStart(8, '0')}`;
      const records = await tools.store.listNotifications(tenant, jobId);
      return records.sort((a, b) => order(a).localeCompare(order(b))).map(viewOf);
    },
    /** Resolves once the background attempts started by this notifier have ended (tests, Lambdas). */
    async drain(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
};

export type Notifier = ReturnType<typeof createNotifier>;
