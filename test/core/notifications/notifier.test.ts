import { describe, expect, it } from 'vitest';
import type { Job, ToolAction, ToolActions, ToolSecrets } from '../../../lambdas/core';
import { createNotifier } from '../../../lambdas/core/notifications/createNotifier';
import { createVariables } from '../../../lambdas/core/variables/createVariables';
import { jobFactory } from '../../helpers/factories';
import { createTestDeps } from '../../helpers/memory/createTestDeps';
import { createMemoryToolStore } from './memoryToolStore';

const webhook: ToolAction = { action: 'webhook', url: 'https://hooks.example.test/cronium' };

interface Call {
  action: ToolAction;
  data: Record<string, unknown>;
  secrets: ToolSecrets;
}

/** ToolActions that records each call and answers with the next outcome (default: accepted). */
const scriptedActions = (outcomes: ('ok' | 'refused' | 'throws')[] = []) => {
  const calls: Call[] = [];
  const actions: ToolActions = {
    async perform(action, data, secrets) {
      calls.push({ action, data, secrets });
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome === 'throws') throw new Error('connect ECONNREFUSED (receiver down)');
      return { ok: outcome === 'ok', summary: outcome === 'ok' ? 'POST answered 200 OK' : 'POST answered 500 Internal Server Error' };
    },
  };
  return { actions, calls };
};

const setup = (outcomes?: ('ok' | 'refused' | 'throws')[], settings = {}) => {
  const deps = createTestDeps();
  const tools = createMemoryToolStore();
  const scripted = scriptedActions(outcomes);
  const notifier = createNotifier({ ...deps, tools: { actions: scripted.actions, store: tools.store, settings } });
  return { deps, tools, notifier, calls: scripted.calls };
};

const failedJob = (partial: Partial<Job> = {}): Job =>
  jobFactory({
    status: 'failed',
    exitCode: 3,
    error: { code: 'exit_nonzero', message: 'exited with 3' },
    durationMs: 1234,
    notify: [{ on: ['failed', 'timeout'], action: webhook }],
    ...partial,
  });

describe('notifications', () => {
  it('sends one notification for a matching moment, with the job fields and the last log lines', async () => {
    const { deps, notifier, calls } = setup();
    const job = failedJob();
    await deps.store.logs.append(
      { tenant: job.tenant, jobId: job.id },
      {
        lines: Array.from({ length: 30 }, (_, i) => ({ seq: i + 1, stream: 'stdout' as const, ts: job.createdAt, line: `line ${i + 1}` })),
        totalBytes: 300,
      },
    );

    await notifier.hook.changed(job, 'running');
    await notifier.drain();

    expect(calls).toHaveLength(1);
    const payload = calls[0]!.data;
    expect(payload).toMatchObject({ event: 'failed', jobId: job.id, status: 'failed', exitCode: 3, durationMs: 1234 });
    expect(payload['error']).toEqual({ code: 'exit_nonzero', message: 'exited with 3' });
    expect(payload['logExcerpt']).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
    expect(await notifier.list(job.tenant, job.id)).toEqual([
      expect.objectContaining({ on: 'failed', status: 'sent', attempts: 1, action: 'webhook POST https://hooks.example.test/cronium' }),
    ]);
  });

  it('notifies nothing for a moment no rule names, and once for a change reported twice', async () => {
    const { notifier, calls } = setup();
    await notifier.hook.changed(failedJob({ status: 'completed', error: undefined, exitCode: 0 }), 'running');
    const job = failedJob();
    await notifier.hook.changed(job, 'running');
    await notifier.hook.changed(job, 'running');
    await notifier.drain();
    expect(calls).toHaveLength(1);
  });

  it('sends started when the job moves to running', async () => {
    const { notifier, calls } = setup();
    const job = jobFactory({ status: 'running', notify: [{ on: ['started'], action: webhook }] });
    await notifier.hook.changed(job, 'claimed');
    await notifier.drain();
    expect(calls.map((c) => c.data['event'])).toEqual(['started']);
  });

  it('masks every secret value in the payload: log lines, error, output', async () => {
    const { deps, notifier, calls } = setup();
    await createVariables(deps).put({ tenant: 'acme', role: 'admin' }, 'DB_PASSWORD', { value: 'hunter2-very-secret', secret: true });
    const job = failedJob({
      error: { code: 'exit_nonzero', message: 'login with hunter2-very-secret failed' },
      output: { dsn: 'postgres://u:hunter2-very-secret@db' },
    });
    await deps.store.logs.append(
      { tenant: job.tenant, jobId: job.id },
      { lines: [{ seq: 1, stream: 'stderr', ts: job.createdAt, line: 'password=hunter2-very-secret' }], totalBytes: 30 },
    );

    await notifier.hook.changed(job, 'running');
    await notifier.drain();

    const text = JSON.stringify(calls[0]!.data);
    expect(text).not.toContain('hunter2-very-secret');
    expect(calls[0]!.data['logExcerpt']).toEqual(['password=***']);
    expect(text).toContain('login with *** failed');
  });

  it('retries a failing receiver with growing backoff at each tick, then marks it failed with the last error', async () => {
    const { deps, notifier, calls } = setup(['throws', 'refused', 'throws'], { maxAttempts: 3, backoffMs: 1_000, backoffFactor: 4 });
    const job = failedJob();

    await notifier.hook.changed(job, 'running');
    await notifier.drain();
    let [view] = await notifier.list(job.tenant, job.id);
    expect(view).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connect ECONNREFUSED (receiver down)' });
    expect(view!.nextAttemptAt).toBe(new Date(deps.clock.now() + 1_000).toISOString());

    // Not due yet: nothing is tried.
    deps.clock.advance(999);
    expect(await notifier.retryDue()).toBe(0);
    deps.clock.advance(1);
    expect(await notifier.retryDue()).toBe(1);
    [view] = await notifier.list(job.tenant, job.id);
    expect(view).toMatchObject({ status: 'pending', attempts: 2, lastError: 'POST answered 500 Internal Server Error' });
    expect(view!.nextAttemptAt).toBe(new Date(deps.clock.now() + 4_000).toISOString());

    deps.clock.advance(4_000);
    await notifier.retryDue();
    [view] = await notifier.list(job.tenant, job.id);
    expect(view).toMatchObject({ status: 'failed', attempts: 3, lastError: 'connect ECONNREFUSED (receiver down)' });
    expect(view!.nextAttemptAt).toBeUndefined();

    deps.clock.advance(60 * 60_000);
    expect(await notifier.retryDue()).toBe(0);
    expect(calls).toHaveLength(3);
  });

  it('hands a webhook the tenant signing secret, the same on every use, stored only encrypted', async () => {
    const { notifier, calls, tools } = setup();
    await notifier.hook.changed(failedJob(), 'running');
    await notifier.hook.changed(failedJob(), 'running');
    await notifier.drain();
    const [a, b] = calls.map((c) => c.secrets.signingSecret);
    expect(a).toMatch(/^whsec_.{20,}/);
    expect(b).toBe(a);
    expect(await tools.store.getSigningSecret('acme')).not.toContain(a!);
  });

  it('records a notification whose variable is missing as failing, naming the variable', async () => {
    const { notifier } = setup(undefined, { maxAttempts: 1 });
    const job = failedJob({ notify: [{ on: ['failed'], action: { action: 'slack', urlFromVariable: 'SLACK_URL', text: 'x' } }] });
    await notifier.hook.changed(job, 'running');
    await notifier.drain();
    expect(await notifier.list(job.tenant, job.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, lastError: expect.stringContaining('variable "SLACK_URL" does not exist') }),
    ]);
  });
});
