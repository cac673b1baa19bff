import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAwsHome, type AwsHome } from './awsHome';

let home: AwsHome;

beforeEach(async () => {
  vi.resetModules();
  home = await startAwsHome();
});
afterEach(async () => {
  await home?.stop();
});

describe('the AWS home, a scheduled two-step workflow through its handlers', () => {
  it('a tick fires the schedule, the first step completes on Fargate, the completion handler starts the second with its output', async () => {
    const event = await home.rest('POST', '/events', { name: 'step', runtime: 'bash', script: 'echo step' });
    const wf = await home.rest('POST', '/workflows', {
      name: 'two steps',
      nodes: [
        { id: 'extract', eventId: event.body.id },
        { id: 'load', eventId: event.body.id },
      ],
      edges: [{ from: 'extract', to: 'load', when: 'success' }],
    });
    expect(wf.status).toBe(201);
    // Due within the tick's window: the tick hands it over now, its first step held by the queue until its time.
    const fireAt = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000).toISOString();
    const schedule = await home.rest('POST', '/schedules', { name: 'nightly', target: { workflowId: wf.body.id }, at: fireAt });
    expect(schedule.status).toBe(201);

    await home.tick();

    const runs = await home.rest('GET', `/workflows/${wf.body.id}/runs`);
    expect(runs.body.items).toHaveLength(1);
    const runId = runs.body.items[0].id as string;
    expect(runs.body.items[0]).toMatchObject({ scheduleId: schedule.body.id, scheduledAt: fireAt, status: 'running' });
    const [first] = home.sentMessages();
    expect(first!.DelaySeconds).toBeGreaterThan(0);
    const extractJob = `${runId}-extract-1`;

    await home.dispatch();
    const extractTask = home.taskOf(extractJob);
    const context = (await home.inputOf(extractJob))!;
    expect([...context.values()].join('\n')).toContain(`"workflowStep":"extract"`);
    await home.uploadOut(extractJob, { 'output.json': '{"rows":3}' });
    await home.stopped(extractTask, { exitCode: 0 });

    const afterFirst = await home.rest('GET', `/workflow-runs/${runId}`);
    expect(afterFirst.body.steps.map((s: { status: string }) => s.status)).toEqual(['completed', 'running']);
    const loadJob = `${runId}-load-1`;
    expect((await home.rest('GET', `/jobs/${loadJob}`)).body).toMatchObject({ status: 'queued', workflowRunId: runId });

    await home.dispatch();
    const loadInput = (await home.inputOf(loadJob))!;
    expect([...loadInput.entries()].find(([name]) => name.endsWith('input.json'))?.[1]).toBe('{"rows":3}\n');
    await home.uploadOut(loadJob, { 'output.json': '"loaded"' });
    await home.stopped(home.taskOf(loadJob), { exitCode: 0 });

    const done = await home.rest('GET', `/workflow-runs/${runId}`);
    expect(done.body).toMatchObject({ status: 'completed' });
    expect(done.body.steps[1]).toMatchObject({ nodeId: 'load', status: 'completed', output: 'loaded', input: { rows: 3 } });
    const shown = await home.rest('GET', `/schedules/${schedule.body.id}`);
    expect(shown.body.lastFires[0]).toMatchObject({ status: 'submitted', workflowRunId: runId });
  });
});
