import type { CoreDeps } from '../deps';
import { ControlPlaneError, ErrorCodes, ForbiddenError, NotFoundError } from '../errors';
import type { Caller, Job } from '../model';
import { createNotifier } from '../notifications/createNotifier';
import type { NotificationView } from '../notifications/notificationModel';
import { createToolRunner } from './createToolRunner';

/** Tool actions are not wired in this runtime (no `tools` in its ports). */
export class ToolsNotConfiguredError extends ControlPlaneError {
  constructor() {
    super(ErrorCodes.internal, 'tool actions are not configured in this runtime');
  }
}

/** What the API offers about tool actions: a job's notifications and the tenant's signing secret. */
export const createToolUseCases = (deps: CoreDeps) => {
  const tools = deps.tools;
  const notifier = tools ? createNotifier({ ...deps, tools }) : undefined;
  const runner = tools ? createToolRunner({ ...deps, tools }) : undefined;
  return {
    /**
     * The notifications of a job its caller has just read (through `jobs.get`, so within its tenant),
     * oldest rule first: no second read of the job, and no lookup for a job without rules (it has none).
     */
    async notificationsOf(job: Job): Promise<NotificationView[]> {
      return notifier && job.notify?.length ? notifier.list(job.tenant, job.id) : [];
    },
    /** A workflow run's notifications, oldest first. @throws NotFoundError for a run of no one or of another tenant. */
    async runNotifications(caller: Caller, runId: string): Promise<NotificationView[]> {
      if (!(await deps.store.workflows.getRun(caller.tenant, runId))) throw new NotFoundError('workflow run', runId);
      return notifier ? notifier.list(caller.tenant, runId) : [];
    },
    /**
     * The tenant's webhook signing secret (created on first use), so receivers can check signatures.
     * @throws ForbiddenError for a `user` key; ToolsNotConfiguredError where tools are not wired.
     */
    async webhookSecret(caller: Caller): Promise<{ secret: string; header: string; algorithm: string }> {
      if (caller.role === 'user') throw new ForbiddenError('only an admin or operator key can read the webhook signing secret');
      if (!runner) throw new ToolsNotConfiguredError();
      return { secret: await runner.signingSecret(caller.tenant), header: 'X-Cronium-Signature', algorithm: 'HMAC-SHA256' };
    },
  };
};
