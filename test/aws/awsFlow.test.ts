import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAwsHome, type AwsHome } from './awsHome';

const SECRET = 's3cret-value-9f1c';

let home: AwsHome;

const start = async (env: Record<string, string> = {}) => {
  vi.resetModules();
  home = await startAwsHome({ env });
  return home;
};

afterEach(async () => {
  vi.useRealTimers();
  await home?.stop();
});

const job = (id: string) => home.rest('GET', `/jobs/${id}`);

/** A bash job submitted through REST, dispatched, its task started. */
const runningJob = async (spec: Record<string, unknown> = {}) => {
  const submitted = await home.rest('POST', '/jobs', { runtime: 'bash', script: 'echo hi', ...spec });
  expect(submitted.status).toBe(202);
  const jobId = submitted.body.id as string;
  await home.dispatch();
  expect((await job(jobId)).body.status).toBe('running');
  return { jobId, task: home.taskOf(jobId) };
};

/** Runs `work` with the wall clock moved forward (only Date: timers and performance.now run as usual). */
const later = async <T>(ms: number, work: () => Promise<T>): Promise<T> => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + ms);
  try {
    return await work();
  } finally {
    vi.useRealTimers();
  }
};

describe('the AWS home, one job through its handlers', () => {
  beforeEach(async () => {
    await start();
  });

  it('runs a container job to completed with its logs, output and condition, pushed once each to a subscriber', async () => {
    const put = await home.rest('PUT', '/variables/DB_PASSWORD', { value: SECRET, secret: true });
    expect(put.status).toBe(200);
    const submitted = await home.rest('POST', '/jobs', {
      runtime: 'bash',
      script: 'echo hello',
      env: { DB_PASSWORD: { fromVariable: 'DB_PASSWORD' }, GREETING: 'hi' },
      input: { n: 1 },
    });
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.id as string;
    expect(home.sentMessages()).toHaveLength(1);

    expect(await home.dispatch()).toEqual({ batchItemFailures: [] });
    const task = home.taskOf(jobId);
    const runTask = home.mocks.ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(JSON.stringify(runTask)).not.toContain(SECRET);
    expect(JSON.stringify(runTask)).not.toContain('echo hello');
    const inArchive = await home.inputOf(jobId);
    expect([...inArchive!.values()].join('\n')).toContain(SECRET);
    expect([...inArchive!.values()].join('\n')).toContain('echo hello');

    expect(await home.subscribe('conn-1', jobId)).toEqual({ connected: 200, subscribed: 200 });
    const early = home.writeLines(task, ['line 1', 'line 2']);
    await home.deliverLogs(task, early);
    // A Lambda is frozen once it returns: the pushes are made before the forwarder returns.
    expect(home.framesTo('conn-1').filter((f) => f['type'] === 'logs')).toHaveLength(1);
    const late = home.writeLines(task, ['line 3']); // still in flight on the subscription when the task stops
    await home.uploadOut(jobId, { 'output.json': '{"answer":42}', 'condition.json': 'true' });
    await home.stopped(task, { exitCode: 0 });
    await home.deliverLogs(task, late);

    const job = await home.rest('GET', `/jobs/${jobId}`);
    expect(job.body).toMatchObject({ status: 'completed', exitCode: 0, output: { answer: 42 }, condition: true });
    const logs = await home.rest('GET', `/jobs/${jobId}/logs`);
    expect(logs.body.items.map((l: { line: string }) => l.line)).toEqual(['line 1', 'line 2', 'line 3']);
    const frames = home.framesTo('conn-1');
    const pushedLines = frames.flatMap((f) => (f['type'] === 'logs' ? (f['lines'] as Array<{ seq: number; line: string }>) : []));
    expect(pushedLines.map((l) => [l.seq, l.line])).toEqual([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
    ]);
    expect(frames.at(-1)).toMatchObject({ type: 'status', status: 'completed', lastSeq: 3 });
    expect(JSON.stringify(home.pushed)).not.toContain(SECRET);
  });

  it('masks a secret value a job prints, and reads no secrets for the lines of a job that got none', async () => {
    // Arrange: a job of a tenant with no secret, then one after a secret exists.
    const plain = await runningJob();
    expect(await home.rest('PUT', '/variables/DB_PASSWORD', { value: SECRET, secret: true })).toMatchObject({ status: 200 });
    const withSecret = await runningJob();

    // Act: both print the secret's value.
    await home.deliverLogs(plain.task, home.writeLines(plain.task, [`plain ${SECRET}`]));
    await home.deliverLogs(withSecret.task, home.writeLines(withSecret.task, [`given ${SECRET}`]));

    // Assert: only the job that got the secret has it masked (the other never got it), and only
    // its task lacks the tag that spares the forwarder the tenant's secrets.
    const linesOf = async (jobId: string) =>
      (await home.rest('GET', `/jobs/${jobId}/logs`)).body.items.map((l: { line: string }) => l.line);
    expect(await linesOf(plain.jobId)).toEqual([`plain ${SECRET}`]);
    expect((await linesOf(withSecret.jobId))[0]).not.toContain(SECRET);
    const secretsTag = (task: typeof plain.task) => task.input.tags?.find((t) => t.key === 'cronium:secrets')?.value;
    expect(secretsTag(plain.task)).toBe('none');
    expect(secretsTag(withSecret.task)).toBeUndefined();
  });

  it('ends a task stopped for lack of memory oom', async () => {
    const { jobId, task } = await runningJob();

    await home.stopped(task, { fixture: 'ecs-task-stopped-oom.json' });

    expect((await job(jobId)).body).toMatchObject({ status: 'failed', error: { code: 'oom' } });
  });

  it('ends a task that failed to start launch_failed with the stopped reason', async () => {
    const { jobId, task } = await runningJob();

    await home.stopped(task, { fixture: 'ecs-task-stopped-failed-to-start.json' });

    const ended = (await job(jobId)).body;
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'launch_failed' } });
    expect(ended.error.message).toMatch(/CannotPullContainerError|ResourceInitializationError|TaskFailedToStart/);
  });

  it('cancels a running job: it ends cancelled, its task is stopped, and the STOPPED event that follows changes nothing', async () => {
    const { jobId, task } = await runningJob();

    const res = await home.rest('POST', `/jobs/${jobId}/cancel`);
    expect(res.body).toMatchObject({ status: 'cancelled' });
    expect(home.mocks.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([task.arn]);
    await home.stopped(task, { fixture: 'ecs-task-stopped-by-user.json', detail: { stoppedReason: 'stopped by Cronium' } });

    expect((await job(jobId)).body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
  });

  it('ends a job past its deadline timeout through the tick, which stops its task', async () => {
    const { jobId, task } = await runningJob({ timeoutSeconds: 1 });

    await later(10 * 60_000, () => home.tick());

    expect(home.mocks.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([task.arn]);
    expect((await job(jobId)).body).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
    await home.stopped(task, { detail: { stoppedReason: 'stopped by Cronium', stopCode: 'UserInitiated' } });
    expect((await job(jobId)).body).toMatchObject({ status: 'timeout' });
  });

  it('ends a running job whose task ECS no longer lists failed with lost, through the tick', async () => {
    const { jobId, task } = await runningJob();
    task.state = 'gone';

    await later(60_000, () => home.tick());

    expect((await job(jobId)).body).toMatchObject({ status: 'failed', error: { code: 'lost' } });
  });

  it('ends a job whose queue message was dead-lettered failed with dead_lettered', async () => {
    const submitted = await home.rest('POST', '/jobs', { runtime: 'bash', script: 'echo x' });
    const [message] = home.sentMessages();

    expect(await home.deadLetters([message!.MessageBody!])).toEqual({ batchItemFailures: [] });

    expect((await job(submitted.body.id)).body).toMatchObject({ status: 'failed', error: { code: 'dead_lettered' } });
  });

  it('takes a duplicate STOPPED event as a no-op: the job ends once, one final status is pushed', async () => {
    const { jobId, task } = await runningJob();
    await home.subscribe('conn-1', jobId);
    await home.deliverLogs(task, home.writeLines(task, ['only line']));
    await home.uploadOut(jobId, { 'output.json': '"first"' });
    await home.stopped(task, { exitCode: 0 });
    const first = (await job(jobId)).body;

    await home.uploadOut(jobId, { 'output.json': '"second"' });
    await home.stopped(task, { exitCode: 0 });

    expect((await job(jobId)).body).toEqual(first);
    expect(first).toMatchObject({ status: 'completed', output: 'first' });
    expect(home.framesTo('conn-1').filter((f) => f['type'] === 'status' && f['status'] === 'completed')).toHaveLength(1);
  });

  it('stores a log batch delivered twice once', async () => {
    const { jobId, task } = await runningJob();
    const batch = home.writeLines(task, ['a', 'b']);

    await home.deliverLogs(task, batch);
    await home.deliverLogs(task, batch);
    await home.stopped(task, { exitCode: 0 });

    const logs = await home.rest('GET', `/jobs/${jobId}/logs`);
    expect(logs.body.items.map((l: { seq: number; line: string }) => [l.seq, l.line])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });
});

describe('the AWS home with one concurrency slot', () => {
  beforeEach(async () => {
    await start({ CRONIUM_MAX_CONCURRENT: '1' });
  });

  it('keeps the second job waiting, then offers it when the first ends and frees the slot', async () => {
    const { jobId: first, task } = await runningJob();
    const second = (await home.rest('POST', '/jobs', { runtime: 'python', script: 'print(2)' })).body.id as string;
    await home.dispatch();
    expect(home.mocks.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect((await job(second)).body.status).toBe('queued');
    const sentBefore = home.sentMessages().length;

    await home.stopped(task, { exitCode: 0 });

    expect((await job(first)).body.status).toBe('completed');
    expect(home.sentMessages().length).toBe(sentBefore + 1);
    await home.dispatch();
    expect(home.mocks.ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    expect(home.taskOf(second).runtime).toBe('python');
    expect((await job(second)).body.status).toBe('running');
  });
});
