import { readFileSync } from 'node:fs';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { describe, expect, it } from 'vitest';
import type { JobLogEvent, TaskJobs } from '../../lambdas/adapters/ecs';
import type { WorkspaceOutputs } from '../../lambdas/core';
import { createJobLogForwarding } from '../../lambdas/handlers/aws/jobLogForwarding';
import { createEcsTaskStoppedHandler, EcsTaskStateChangeEventSchema } from '../../lambdas/handlers/ecsTaskStopped';
import { callerFactory } from '../helpers/factories';
import { createHarness, keyOf } from '../helpers/memory/createHarness';

const TASK_ARN = 'arn:aws:ecs:us-east-1:111122223333:task/CroniumJobsCluster/9f3b1c2d4e5f4a6b8c7d0e1f2a3b4c5d';
const Fixtures = [
  'ecs-task-stopped-exit.json',
  'ecs-task-stopped-oom.json',
  'ecs-task-stopped-failed-to-start.json',
  'ecs-task-stopped-by-user.json',
] as const;
type Fixture = (typeof Fixtures)[number];
const fixture = (name: Fixture) =>
  JSON.parse(readFileSync(new URL(`./fixtures/aws/${name}`, import.meta.url), 'utf8')) as { detail: Record<string, unknown> };
const withDetail = (name: Fixture, over: Record<string, unknown>) => {
  const e = fixture(name);
  return { ...e, detail: { ...e.detail, ...over } };
};

const streamEvents: JobLogEvent[] = [
  { id: '100', timestamp: 1_000, message: 'first' },
  { id: '101', timestamp: 1_001, message: 'last' },
];

const setup = async (o: { outputs?: WorkspaceOutputs } = {}) => {
  const h = createHarness();
  const job = await h.launch();
  const key = keyOf(job);
  const tasks: TaskJobs = { keyOf: async (task) => (task === TASK_ARN ? key : undefined) };
  const logs = createJobLogForwarding({
    events: h.cp.executions,
    reader: { read: async () => streamEvents },
  });
  const handler = createEcsTaskStoppedHandler({
    events: h.cp.executions,
    tasks,
    logs,
    logStreamOf: () => 'bash/job/9f3b1c2d4e5f4a6b8c7d0e1f2a3b4c5d',
    readOutputs: async () => o.outputs,
  });
  const lines = async () => (await h.store.logs.read(key, 0, 100)).map((l) => l.line);
  return { h, key, handler, lines, stored: () => h.stored(key) };
};

describe('ecsTaskStopped handler', () => {
  it.each(Fixtures)('parses %s with the EventBridge schema and the ECS detail schema', (name) => {
    expect(EventBridgeSchema.parse(fixture(name))).toBeTruthy();
    expect(EcsTaskStateChangeEventSchema.parse(fixture(name)).detail.lastStatus).toBe('STOPPED');
  });

  it('stores the last log lines before it ends the job with the exit code', async () => {
    const { handler, lines, stored } = await setup();
    await handler(fixture('ecs-task-stopped-exit.json'));
    expect(await lines()).toEqual(['first', 'last']);
    expect(await stored()).toMatchObject({ status: 'failed', exitCode: 3, error: { code: 'exit_nonzero' } });
  });

  it('completes a job that exited 0 with the output read back from out/', async () => {
    const { handler, stored } = await setup({ outputs: { files: { 'output.json': '{"n":1}' } } });
    await handler(withDetail('ecs-task-stopped-exit.json', { containers: [{ name: 'job', exitCode: 0 }] }));
    expect(await stored()).toMatchObject({ status: 'completed', exitCode: 0, output: { n: 1 } });
  });

  it('ends an out-of-memory task with oom', async () => {
    const { handler, stored } = await setup();
    await handler(fixture('ecs-task-stopped-oom.json'));
    expect(await stored()).toMatchObject({ status: 'failed', error: { code: 'oom' } });
  });

  it('ends a task that failed to start with launch_failed and the stopped reason', async () => {
    const { handler, stored } = await setup();
    await handler(fixture('ecs-task-stopped-failed-to-start.json'));
    const job = await stored();
    expect(job).toMatchObject({ status: 'failed', error: { code: 'launch_failed' } });
    expect(job.error?.message).toContain('CannotPullContainerError');
  });

  it('leaves a cancelled job cancelled when its stopped task reports in', async () => {
    const { h, key, handler, stored } = await setup();
    await h.cp.jobs.cancel(callerFactory({ tenant: key.tenant }), key.jobId);
    await handler(fixture('ecs-task-stopped-by-user.json'));
    expect(await stored()).toMatchObject({ status: 'cancelled' });
  });

  it('ends a job stopped by us before it was ended as a timeout', async () => {
    const { handler, stored } = await setup();
    await handler(fixture('ecs-task-stopped-by-user.json'));
    expect(await stored()).toMatchObject({ status: 'timeout' });
  });

  it('is harmless when the STOPPED event comes twice: no line stored twice, the ending kept', async () => {
    const { handler, lines, stored } = await setup();
    await handler(fixture('ecs-task-stopped-exit.json'));
    const first = await stored();
    await handler(fixture('ecs-task-stopped-exit.json'));
    expect(await lines()).toEqual(['first', 'last']);
    expect(await stored()).toEqual(first);
  });

  it('ignores an event that is not STOPPED, arriving late or early', async () => {
    const { handler, stored } = await setup();
    await handler(withDetail('ecs-task-stopped-exit.json', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }));
    expect((await stored()).status).toBe('running');
  });

  it('ignores a task that is not a job’s, and a malformed event', async () => {
    const { handler, stored } = await setup();
    await handler(withDetail('ecs-task-stopped-exit.json', { taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/other/1' }));
    await handler({ source: 'aws.ecs', detail: {} });
    expect((await stored()).status).toBe('running');
  });
});
