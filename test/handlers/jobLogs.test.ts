import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CloudWatchLogsSchema } from '@aws-lambda-powertools/parser/schemas';
import { describe, expect, it } from 'vitest';
import type { JobLogEvent, TaskJobs } from '../../lambdas/adapters/ecs';
import { createJobLogForwarding } from '../../lambdas/handlers/aws/jobLogForwarding';
import { createJobLogsHandler } from '../../lambdas/handlers/jobLogs';
import { callerFactory } from '../helpers/factories';
import { createHarness, keyOf } from '../helpers/memory/createHarness';

const TASK_ID = '9f3b1c2d4e5f4a6b8c7d0e1f2a3b4c5d';
const fixture = JSON.parse(readFileSync(new URL('./fixtures/aws/cloudwatch-logs-job-batch.json', import.meta.url), 'utf8')) as {
  awslogs: { data: string };
};
const decoded = JSON.parse(readFileSync(new URL('./fixtures/aws/cloudwatch-logs-job-batch.decoded.json', import.meta.url), 'utf8')) as {
  logStream: string;
  logEvents: JobLogEvent[];
};

/** A subscription payload exactly as CloudWatch Logs builds it: JSON, gzip, base64. */
const payload = (over: Record<string, unknown>) => ({
  awslogs: { data: gzipSync(Buffer.from(JSON.stringify({ ...decoded, ...over }))).toString('base64') },
});

const setup = async (reads: JobLogEvent[] = []) => {
  const h = createHarness();
  const job = await h.launch();
  const key = keyOf(job);
  const lookups: string[] = [];
  const tasks: TaskJobs = {
    keyOf: async (task) => {
      lookups.push(task);
      return task === TASK_ID ? key : undefined;
    },
  };
  const logs = createJobLogForwarding({
    events: h.cp.executions,
    reader: { read: async () => reads },
  });
  const handler = createJobLogsHandler({ tasks, logs });
  const lines = async () => (await h.store.logs.read(key, 0, 100)).map((l) => [l.seq, l.line]);
  return { h, key, handler, logs, lines, lookups };
};

describe('jobLogs handler', () => {
  it('decodes the fixture with Powertools’ CloudWatch Logs schema', () => {
    const parsed = CloudWatchLogsSchema.parse(fixture);
    expect(parsed.awslogs.data).toMatchObject({ messageType: 'DATA_MESSAGE', logStream: `bash/job/${TASK_ID}` });
    expect(parsed.awslogs.data.logEvents).toHaveLength(3);
  });

  it('stores a batch as numbered lines of the task’s job', async () => {
    const { handler, lines } = await setup();
    await handler(fixture);
    expect(await lines()).toEqual([
      [1, 'starting'],
      [2, 'step 1 of 2'],
      [3, 'done'],
    ]);
  });

  it('stores nothing twice when a batch is delivered twice', async () => {
    const { handler, lines } = await setup();
    await handler(fixture);
    await handler(fixture);
    expect(await lines()).toHaveLength(3);
  });

  it('stores only the new events of a batch that overlaps what is stored', async () => {
    const { handler, lines } = await setup();
    await handler(fixture);
    const later = { id: '38724155976147109818907575470478021400000000000000000000', timestamp: 1736157626101, message: 'after' };
    await handler(payload({ logEvents: [decoded.logEvents[2], later] }));
    expect(await lines()).toEqual([
      [1, 'starting'],
      [2, 'step 1 of 2'],
      [3, 'done'],
      [4, 'after'],
    ]);
  });

  it('masks secret values as the core does for every launcher', async () => {
    const { h, key, handler, lines } = await setup();
    await h.cp.variables.put(callerFactory({ tenant: key.tenant }), 'TOKEN', { value: 'hunter2-secret', secret: true });
    await handler(payload({ logEvents: [{ id: '1', timestamp: 1, message: 'token=hunter2-secret' }] }));
    const stored = await lines();
    expect(stored).toHaveLength(1);
    expect(stored[0]![1]).toContain('token=');
    expect(JSON.stringify(stored)).not.toContain('hunter2-secret');
  });

  it('ignores a stream that is no job container’s and a control message', async () => {
    const { handler, lines, lookups } = await setup();
    await handler(payload({ logStream: 'bash/other/abc' }));
    await handler(payload({ messageType: 'CONTROL_MESSAGE' }));
    await handler({ awslogs: { data: 'not gzip' } });
    expect(await lines()).toEqual([]);
    expect(lookups).toEqual([]);
  });
});

describe('the fresh-log hint of a task', () => {
  it('goes with a subscription batch, not with the completion drain', async () => {
    // Arrange
    const hints: unknown[] = [];
    const logs = createJobLogForwarding({
      events: { outputAfter: async (_key, _pick, given) => void hints.push(given) },
      reader: { read: async () => [] },
    });
    const job = { tenant: 'acme', jobId: 'job01', secretFree: true, freshLog: true };

    // Act
    await logs.forward(job, decoded.logEvents);
    await logs.drain(job, decoded.logStream);

    // Assert: a drain that has not seen the job most likely comes after stored lines: it reads the tail.
    expect(hints).toEqual([{ secretFree: true, freshLog: true }, { secretFree: true }]);
  });
});
