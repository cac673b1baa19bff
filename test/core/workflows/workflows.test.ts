import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, stepJobId } from '../../../lambdas/core';
import { errorOf } from '../../helpers/memory/createHarness';
import { acme, createWorkflowHarness } from './workflowHarness';

describe('workflow definitions', () => {
  it('refuses a cycle, naming the nodes on it', async () => {
    const h = await createWorkflowHarness();
    const err = await errorOf(() =>
      h.workflow(
        [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
        [
          { from: 'a', to: 'b', when: 'success' },
          { from: 'b', to: 'c', when: 'success' },
          { from: 'c', to: 'b', when: 'success' },
        ],
      ),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe('edges: cycle b -> c -> b');
  });

  it('refuses duplicate node ids, unknown nodes in edges and unknown events, naming the field', async () => {
    const h = await createWorkflowHarness();
    expect(((await errorOf(() => h.workflow([{ id: 'a' }, { id: 'a' }]))) as ValidationError).field).toBe('nodes[1].id');
    expect(((await errorOf(() => h.workflow([{ id: 'a' }], [{ from: 'a', to: 'zz', when: 'success' }]))) as ValidationError).message).toBe(
      'edges[0].to: unknown node "zz"',
    );
    const missing = (await errorOf(() => h.workflow([{ id: 'a' }, { id: 'b', eventId: 'nope' }]))) as ValidationError;
    expect(missing.message).toBe('nodes[1].eventId: event nope not found');
  });

  it('keeps another tenant from reading a workflow', async () => {
    const h = await createWorkflowHarness();
    const id = await h.workflow([{ id: 'a' }]);
    const err = await errorOf(() => h.cp.workflows.get({ tenant: 'globex', role: 'user' }, id));
    expect((err as { code: string }).code).toBe('not_found');
  });
});

describe('workflow runs', () => {
  it('starts every start node at once, with the run input and the run context on the job', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      [
        { from: 'a', to: 'c', when: 'success' },
        { from: 'b', to: 'c', when: 'success' },
      ],
    );
    const run = await h.cp.workflows.start(acme, wf, { input: { n: 1 } });
    expect(await h.statuses(run.id)).toEqual({ a: 'running', b: 'running', c: 'pending' });
    const a = await h.stepJob(run.id, 'a');
    expect(a).toMatchObject({ id: stepJobId(run.id, 'a', 1), input: { n: 1 }, workflowId: wf, workflowRunId: run.id, workflowStepId: 'a' });
  });

  it('runs a join once, after all its parents, with their outputs keyed by parent id (a diamond)', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
      [
        { from: 'a', to: 'b', when: 'success' },
        { from: 'a', to: 'c', when: 'success' },
        { from: 'b', to: 'd', when: 'success' },
        { from: 'c', to: 'd', when: 'success' },
      ],
    );
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a', { output: { from: 'a' } });
    expect((await h.stepJob(run.id, 'b')).input).toEqual({ from: 'a' });
    await h.finish(run.id, 'b', { output: 'B' });
    expect((await h.run(run.id)).steps['d']!.status).toBe('pending');
    await h.finish(run.id, 'c', { output: 'C' });
    expect((await h.stepJob(run.id, 'd')).input).toEqual({ b: 'B', c: 'C' });
    await h.cp.tick(); // a second advance starts nothing twice
    const dJobs = (await h.store.jobs.list('acme', { limit: 100 })).items.filter((j) => j.workflowStepId === 'd');
    expect(dJobs).toHaveLength(1);
    await h.finish(run.id, 'd');
    expect(await h.run(run.id)).toMatchObject({ status: 'completed' });
  });

  it('follows failure edges, skips success ones, and ends completed when a failure was handled', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow(
      [{ id: 'a' }, { id: 'ok' }, { id: 'onFail' }, { id: 'after' }],
      [
        { from: 'a', to: 'ok', when: 'success' },
        { from: 'a', to: 'onFail', when: 'failure' },
        { from: 'ok', to: 'after', when: 'always' },
      ],
    );
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a', { exitCode: 3 });
    const r = await h.run(run.id);
    expect(r.steps['ok']).toMatchObject({ status: 'skipped', skipReason: 'no edge into it held: a ended failed, edge needs success' });
    expect(r.steps['after']).toMatchObject({ status: 'skipped', skipReason: 'no edge into it held: ok was skipped' });
    expect(r.steps['onFail']!.status).toBe('running');
    await h.finish(run.id, 'onFail');
    expect(await h.run(run.id)).toMatchObject({ status: 'completed' });
  });

  it('fails the run with the reason when a failed step has no failure edge', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow([{ id: 'a' }, { id: 'b' }], [{ from: 'a', to: 'b', when: 'success' }]);
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a', { exitCode: 2 });
    const r = await h.run(run.id);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/^step a ended failed/);
    expect(r.steps['b']!.status).toBe('skipped');
  });

  it('takes condition and not-condition edges from the step condition', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow(
      [{ id: 'check' }, { id: 'yes' }, { id: 'no' }],
      [
        { from: 'check', to: 'yes', when: 'condition' },
        { from: 'check', to: 'no', when: 'not-condition' },
      ],
    );
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'check', { condition: true, output: 42 });
    expect(await h.statuses(run.id)).toEqual({ check: 'completed', yes: 'running', no: 'skipped' });
    expect((await h.stepJob(run.id, 'yes')).input).toBe(42);
    expect((await h.run(run.id)).steps['check']!.condition).toBe(true);
  });

  it('cancels running steps and starts nothing more', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow([{ id: 'a' }, { id: 'b' }], [{ from: 'a', to: 'b', when: 'always' }]);
    const run = await h.cp.workflows.start(acme, wf);
    const cancelled = await h.cp.workflows.cancel(acme, run.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'cancelled by request' });
    expect((await h.stepJob(run.id, 'a')).status).toBe('cancelled');
    expect(await h.statuses(run.id)).toEqual({ a: 'cancelled', b: 'cancelled' });
    await h.cp.tick();
    expect((await h.store.jobs.list('acme', { limit: 100 })).items).toHaveLength(1);
  });

  it('retries a failed run: the failed step and what follows get new jobs, completed steps keep theirs', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      [
        { from: 'a', to: 'b', when: 'success' },
        { from: 'b', to: 'c', when: 'success' },
      ],
    );
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a', { output: 'A' });
    await h.finish(run.id, 'b', { exitCode: 1 });
    expect((await h.run(run.id)).status).toBe('failed');
    const aJob = (await h.run(run.id)).steps['a']!.jobId;

    const retried = await h.cp.workflows.retry(acme, run.id);
    expect(retried).toMatchObject({ status: 'running', attempt: 2 });
    expect(retried.steps['a']).toMatchObject({ status: 'completed', jobId: aJob });
    expect(retried.steps['b']).toMatchObject({ status: 'running', attempt: 2, jobId: stepJobId(run.id, 'b', 2) });
    expect(retried.steps['c']).toMatchObject({ status: 'pending' });
    expect((await h.stepJob(run.id, 'b')).input).toBe('A');
    await h.finish(run.id, 'b');
    await h.finish(run.id, 'c');
    expect((await h.run(run.id)).status).toBe('completed');
    expect(await errorOf(() => h.cp.workflows.retry(acme, run.id))).toBeInstanceOf(ConflictError);
  });

  it('fails a step whose event was deleted, naming it', async () => {
    const h = await createWorkflowHarness();
    const other = await h.cp.events.create(acme, { name: 'gone', runtime: 'bash', script: 'true' });
    const wf = await h.workflow([{ id: 'a' }, { id: 'b', eventId: other.id }], [{ from: 'a', to: 'b', when: 'success' }]);
    await h.cp.events.remove(acme, other.id);
    const run = await h.cp.workflows.start(acme, wf);
    await h.finish(run.id, 'a');
    const r = await h.run(run.id);
    expect(r.steps['b']).toMatchObject({ status: 'failed', error: { code: 'not_found', message: `event ${other.id} not found` } });
    expect(r.status).toBe('failed');
  });
});

describe('workflow durability', () => {
  it('the tick advances a run whose step ended while no hook followed (a crash in between)', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow([{ id: 'a' }, { id: 'b' }], [{ from: 'a', to: 'b', when: 'success' }]);
    const run = await h.cp.workflows.start(acme, wf);
    // End a's job behind the hooks' back, as a process that died after storing the end would leave it.
    const a = await h.stepJob(run.id, 'a');
    await h.store.jobs.transition(a, 'completed', { output: 'A' });
    expect((await h.run(run.id)).steps['b']!.status).toBe('pending');
    const report = await h.cp.tick();
    expect(report.workflowRuns).toBe(1);
    expect(await h.statuses(run.id)).toEqual({ a: 'completed', b: 'running' });
    expect((await h.stepJob(run.id, 'b')).input).toBe('A');
  });

  it('the tick submits a step the run recorded but whose job was never created, once', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow([{ id: 'a' }]);
    const run = await h.cp.workflows.start(acme, wf, { input: 'x' });
    const jobId = stepJobId(run.id, 'a', 1);
    // Lose the job, as a crash between writing the run and submitting would.
    const stored = await h.store.workflows.getRun('acme', run.id);
    expect(stored!.steps['a']!.jobId).toBe(jobId);
    const fresh = await createWorkflowHarness();
    await fresh.store.workflows.createRun(stored!);
    await fresh.store.events.put({ ...(await h.store.events.get('acme', h.eventId))! });
    await fresh.cp.tick();
    await fresh.cp.tick();
    const jobs = (await fresh.store.jobs.list('acme', { limit: 10 })).items;
    expect(jobs.map((j) => [j.id, j.input])).toEqual([[jobId, 'x']]);
  });
});

describe('schedules of workflows', () => {
  it('a schedule with a workflow target starts a run at its fire, its first steps held until the fire time', async () => {
    const h = await createWorkflowHarness();
    const wf = await h.workflow([{ id: 'a' }]);
    const s = await h.cp.schedules.create(acme, { name: 'wf', target: { workflowId: wf }, cron: '*/5 * * * *' });
    h.clock.set(Date.parse('2030-01-01T00:04:30Z'));
    await h.cp.tick();
    const runs = (await h.cp.workflows.listRuns(acme, wf, { limit: 10 })).items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ scheduleId: s.id, scheduledAt: '2030-01-01T00:05:00.000Z' });
    expect((await h.stepJob(runs[0]!.id, 'a')).offeredAt).toBe('2030-01-01T00:05:00.000Z');
    const details = await h.cp.schedules.get(acme, s.id);
    expect(details.lastFires[0]).toMatchObject({ status: 'submitted', workflowRunId: runs[0]!.id });
  });

  it('refuses a schedule of an unknown workflow, naming the field', async () => {
    const h = await createWorkflowHarness();
    const err = (await errorOf(() =>
      h.cp.schedules.create(acme, { name: 'x', target: { workflowId: 'nope' }, cron: '* * * * *' }),
    )) as ValidationError;
    expect(err.message).toBe('target.workflowId: workflow nope not found');
  });
});
