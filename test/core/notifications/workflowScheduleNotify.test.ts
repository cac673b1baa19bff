import { describe, expect, it, vi } from 'vitest';
import type { NotifyRule, ToolAction, ToolActions } from '../../../lambdas/core';
import { createScheduleHarness } from '../schedules/scheduleHarness';
import { acme, createWorkflowHarness } from '../workflows/workflowHarness';
import { createMemoryToolStore } from './memoryToolStore';

const hook = (path: string): ToolAction => ({ action: 'webhook', url: `https://hooks.example.test/${path}` });

/** Tool actions that record what they were asked to send; every one is accepted. */
const recordingTools = () => {
  const sent: { url: string; data: Record<string, unknown> }[] = [];
  const actions: ToolActions = {
    async perform(action, data) {
      sent.push({ url: action.action === 'webhook' ? action.url : action.action, data });
      return { ok: true, summary: 'POST answered 200 OK' };
    },
  };
  const toolStore = createMemoryToolStore();
  return { sent, tools: { actions, store: toolStore.store } };
};

const workflowSetup = async () => {
  const { sent, tools } = recordingTools();
  const h = await createWorkflowHarness({ tools });
  const flow = async (notify: NotifyRule[]) => {
    const w = await h.cp.workflows.create(acme, {
      name: 'nightly',
      nodes: [
        { id: 'a', eventId: h.eventId },
        { id: 'b', eventId: h.eventId },
      ],
      edges: [{ from: 'a', to: 'b', when: 'success' }],
      notify,
    });
    return w.id;
  };
  return { h, sent, flow };
};

describe("a workflow's notify rules", () => {
  it('notify once when the run ends, with the run and each step, and not for each step job', async () => {
    const { h, sent, flow } = await workflowSetup();
    const wf = await flow([
      { on: ['failed'], action: hook('failed') },
      { on: ['completed'], action: hook('completed') },
    ]);
    const run = await h.cp.workflows.start(acme, wf);

    await h.finish(run.id, 'a', { exitCode: 3 });

    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]!.url).toBe('https://hooks.example.test/failed');
    expect(sent[0]!.data).toMatchObject({
      event: 'failed',
      workflowRunId: run.id,
      workflowId: wf,
      workflowName: 'nightly',
      status: 'failed',
      attempt: 1,
      steps: [
        { nodeId: 'a', status: 'failed', jobId: `${run.id}-a-1`, error: { code: 'exit_nonzero' } },
        { nodeId: 'b', status: 'skipped', jobId: null },
      ],
    });
    expect((await h.stepJob(run.id, 'a')).notify).toBeUndefined();
    await vi.waitFor(async () =>
      expect(await h.cp.tools.runNotifications(acme, run.id)).toEqual([
        expect.objectContaining({ on: 'failed', status: 'sent', attempts: 1, action: 'webhook POST https://hooks.example.test/failed' }),
      ]),
    );
  });

  it('notify completed when every step succeeded, and started when the run starts', async () => {
    const { h, sent, flow } = await workflowSetup();
    const wf = await flow([{ on: ['started', 'completed'], action: hook('run') }]);
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a');
    await h.finish(run.id, 'b');

    await vi.waitFor(() => expect(sent.map((s) => s.data['event'])).toEqual(['started', 'completed']));
    expect(sent[1]!.data).toMatchObject({ status: 'completed', durationMs: expect.any(Number), finishedAt: expect.any(String) });
  });

  it('notify cancelled once for a cancelled run, however often it is cancelled', async () => {
    const { h, sent, flow } = await workflowSetup();
    const wf = await flow([{ on: ['cancelled'], action: hook('cancelled') }]);
    const run = await h.cp.workflows.start(acme, wf);

    await h.cp.workflows.cancel(acme, run.id);
    await h.cp.workflows.cancel(acme, run.id);

    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]!.data).toMatchObject({ event: 'cancelled', status: 'cancelled', reason: 'cancelled by request' });
  });

  it('notify again for a retried run that fails again (one notification per attempt)', async () => {
    const { h, sent, flow } = await workflowSetup();
    const wf = await flow([{ on: ['failed'], action: hook('failed') }]);
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a', { exitCode: 1 });
    await vi.waitFor(() => expect(sent).toHaveLength(1));

    await h.cp.workflows.retry(acme, run.id);
    await h.finish(run.id, 'a', { exitCode: 1 });

    await vi.waitFor(() => expect(sent.map((s) => s.data['attempt'])).toEqual([1, 2]));
  });

  it('keep the rules a run started with when the workflow changes, and a replaced workflow drops rules it no longer has', async () => {
    const { h, flow } = await workflowSetup();
    const wf = await flow([{ on: ['failed'], action: hook('failed') }]);
    const run = await h.cp.workflows.start(acme, wf);

    const replaced = await h.cp.workflows.update(acme, wf, { name: 'nightly', nodes: [{ id: 'a', eventId: h.eventId }] });

    expect(replaced.notify).toBeUndefined();
    expect((await h.run(run.id)).notify).toEqual([{ on: ['failed'], action: hook('failed') }]);
  });

  it("are listed only for a run of the caller's tenant: an unknown run is not found", async () => {
    const { h } = await workflowSetup();
    await expect(h.cp.tools.runNotifications(acme, 'no-such-run')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe("a schedule's notify rules", () => {
  it("go on every job it fires, after the event's own, and are cleared with null", async () => {
    const { tools } = recordingTools();
    const h = await createScheduleHarness({ tools });
    await h.cp.events.update(acme, h.eventId, {
      name: 'nightly',
      runtime: 'bash',
      script: 'echo hi',
      notify: [{ on: ['completed'], action: hook('event') }],
    });
    const s = await h.schedule({ notify: [{ on: ['failed', 'timeout'], action: hook('schedule') }] });

    await h.tickAt('00:05:00');
    const [fired] = await h.jobs();
    const job = await h.stored({ tenant: 'acme', jobId: fired!.id });

    expect(job.notify).toEqual([
      { on: ['completed'], action: hook('event') },
      { on: ['failed', 'timeout'], action: hook('schedule') },
    ]);
    expect((await h.cp.schedules.update(acme, s.id, { notify: null })).notify).toBeUndefined();
  });

  it('go on the workflow run a schedule starts, after the workflow’s own', async () => {
    const { tools } = recordingTools();
    const h = await createScheduleHarness({ tools });
    const w = await h.cp.workflows.create(acme, {
      name: 'flow',
      nodes: [{ id: 'a', eventId: h.eventId }],
      notify: [{ on: ['failed'], action: hook('workflow') }],
    });
    await h.schedule({ target: { workflowId: w.id }, notify: [{ on: ['completed'], action: hook('schedule') }] });

    await h.tickAt('00:05:00');
    const runs = await h.store.workflows.listRuns('acme', w.id, { limit: 10 });

    expect(runs.items.map((r) => r.notify)).toEqual([
      [
        { on: ['failed'], action: hook('workflow') },
        { on: ['completed'], action: hook('schedule') },
      ],
    ]);
  });
});
