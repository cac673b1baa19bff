import { readFileSync } from 'node:fs';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createEcsLauncher,
  createJobLogReader,
  createTaskJobs,
  CroniumStopReason,
  decodeStreamPosition,
  EcsTaskStateChangeDetailSchema,
  encodeStreamPosition,
  eventsAfter,
  JobTaskContract,
  stoppedTaskReport,
  taskIdOfLogStream,
} from '../../../lambdas/adapters/ecs';
import { ErrorCodes } from '../../../lambdas/core/errors';

const fixture = (name: string) => {
  const event = EventBridgeSchema.parse(JSON.parse(readFileSync(new URL(`../../handlers/fixtures/aws/${name}`, import.meta.url), 'utf8')));
  return EcsTaskStateChangeDetailSchema.parse(event.detail);
};

const ecs = mockClient(ECSClient);
const cwl = mockClient(CloudWatchLogsClient);
beforeEach(() => {
  ecs.reset();
  cwl.reset();
});

describe('stoppedTaskReport', () => {
  it('reports the job container exit code of a task whose script ended', () => {
    expect(stoppedTaskReport(fixture('ecs-task-stopped-exit.json'))).toEqual({ exitCode: 3, oomKilled: false, timedOut: false });
  });

  it('reports OutOfMemoryError as oomKilled', () => {
    expect(stoppedTaskReport(fixture('ecs-task-stopped-oom.json'))).toMatchObject({ exitCode: 137, oomKilled: true });
  });

  it('reports exit 137 of a task nobody stopped as oomKilled', () => {
    const detail = { ...fixture('ecs-task-stopped-exit.json') };
    detail.containers = [{ name: JobTaskContract.containerName, exitCode: 137 }];
    expect(stoppedTaskReport(detail).oomKilled).toBe(true);
  });

  it('reports a task that failed to start as launch_failed with the stopped reason', () => {
    const report = stoppedTaskReport(fixture('ecs-task-stopped-failed-to-start.json'));
    expect(report.failure?.code).toBe(ErrorCodes.launchFailed);
    expect(report.failure?.message).toContain('CannotPullContainerError');
  });

  it('reports a ResourceInitializationError without stop code as launch_failed', () => {
    const detail = {
      ...fixture('ecs-task-stopped-failed-to-start.json'),
      stopCode: undefined,
      stoppedReason: 'ResourceInitializationError: unable to pull secrets',
    };
    expect(stoppedTaskReport(detail).failure?.code).toBe(ErrorCodes.launchFailed);
  });

  it('reports a stop of ours as a timeout (a cancel ends the job before it stops the task)', () => {
    expect(stoppedTaskReport(fixture('ecs-task-stopped-by-user.json'))).toMatchObject({ timedOut: true, oomKilled: false });
  });

  it('reports a task stopped by someone else as lost, not as an OOM', () => {
    const detail = { ...fixture('ecs-task-stopped-by-user.json'), stoppedReason: 'Task stopped by user' };
    const report = stoppedTaskReport(detail);
    expect(report).toMatchObject({ oomKilled: false, timedOut: false });
    expect(report.failure?.code).toBe(ErrorCodes.lost);
  });

  it('uses the very reason the launcher gives StopTask', async () => {
    ecs.on(StopTaskCommand).resolves({});
    const launcher = createEcsLauncher({
      client: new ECSClient({ region: 'us-east-1' }),
      cluster: 'jobs',
      subnets: ['subnet-a'],
      securityGroup: 'sg-a',
      taskDefinitions: { bash: 'b', python: 'p', node: 'n' },
      workspace: { stage: () => Promise.reject(new Error('stop stages nothing')) },
    });
    await launcher.stop('arn:aws:ecs:us-east-1:111122223333:task/jobs/abc');
    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input.reason).toBe(CroniumStopReason);
  });
});

describe('createTaskJobs', () => {
  const tasks = () => createTaskJobs({ client: new ECSClient({ region: 'us-east-1' }), cluster: 'jobs' });

  it('finds the job from the task tags once, then from memory', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          tags: [
            { key: JobTaskContract.tags.tenant, value: 'acme' },
            { key: JobTaskContract.tags.jobId, value: 'job-1' },
          ],
        },
      ],
    });
    const resolver = tasks();
    expect(await resolver.keyOf('arn:aws:ecs:us-east-1:111122223333:task/jobs/abc')).toEqual({ tenant: 'acme', jobId: 'job-1' });
    expect(await resolver.keyOf('abc')).toEqual({ tenant: 'acme', jobId: 'job-1' });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(1);
    expect(ecs.commandCalls(DescribeTasksCommand)[0]!.args[0].input).toMatchObject({ cluster: 'jobs', tasks: ['abc'], include: ['TAGS'] });
  });

  it('returns undefined for a task without Cronium tags', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ tags: [] }] });
    expect(await tasks().keyOf('other')).toBeUndefined();
  });
});

describe('job log streams', () => {
  const ev = (id: string, timestamp: number) => ({ id, timestamp, message: id });

  it('takes the task id from a job container stream only', () => {
    expect(taskIdOfLogStream('bash/job/abc123')).toBe('abc123');
    expect(taskIdOfLogStream('bash/sidecar/abc123')).toBeUndefined();
    expect(taskIdOfLogStream('abc123')).toBeUndefined();
  });

  it('round-trips a position and ignores a token of another launcher', () => {
    const p = { timestamp: 1736157624101, id: '38724155931547619421846329187406584936627419307618140160' };
    expect(decodeStreamPosition(encodeStreamPosition(p))).toEqual(p);
    expect(decodeStreamPosition('d1;f=2025-01-01T00:00:00Z')).toBeUndefined();
  });

  it('keeps only events after the position, in order and once, comparing ids longer than 2^53', () => {
    const events = [
      ev('1000000000000000000000002', 5),
      ev('999999999999999999999999', 5),
      ev('1000000000000000000000001', 5),
      ev('1000000000000000000000002', 5),
    ];
    expect(eventsAfter(events, undefined).map((e) => e.id)).toEqual([
      '999999999999999999999999',
      '1000000000000000000000001',
      '1000000000000000000000002',
    ]);
    expect(eventsAfter(events, { timestamp: 5, id: '1000000000000000000000001' }).map((e) => e.id)).toEqual(['1000000000000000000000002']);
  });

  it('reads a stream from a position through every FilterLogEvents page', async () => {
    cwl
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: '1', timestamp: 10, message: 'a' }], nextToken: 't' })
      .resolvesOnce({ events: [{ eventId: '2', timestamp: 11, message: 'b' }] });
    const reader = createJobLogReader({ client: new CloudWatchLogsClient({ region: 'us-east-1' }), logGroup: 'jobs' });
    const events = await reader.read('bash/job/abc', { timestamp: 10, id: '1' });
    expect(events.map((e) => e.message)).toEqual(['a', 'b']);
    expect(cwl.commandCalls(FilterLogEventsCommand)[0]!.args[0].input).toMatchObject({
      logGroupName: 'jobs',
      logStreamNames: ['bash/job/abc'],
      startTime: 10,
    });
    expect(cwl.commandCalls(FilterLogEventsCommand)[1]!.args[0].input.nextToken).toBe('t');
  });
});
