import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAwsHome, type AwsHome } from './awsHome';

let home: AwsHome;

afterEach(async () => {
  await home?.stop();
});

const dynamoSince = (before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(home.counts().dynamodb)
      .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Runs one job to its end, counting the DynamoDB requests of its two log batches and its completion. */
const measuredJob = async () => {
  const submitted = await home.rest('POST', '/jobs', { runtime: 'bash', script: 'echo hi' });
  const jobId = submitted.body.id as string;
  let mark = home.counts().dynamodb;
  await home.dispatch();
  const dispatch = dynamoSince(mark);
  const task = home.taskOf(jobId);
  mark = home.counts().dynamodb;
  await home.deliverLogs(task, home.writeLines(task, ['one', 'two']));
  const firstBatch = dynamoSince(mark);
  mark = home.counts().dynamodb;
  await home.deliverLogs(task, home.writeLines(task, ['three']));
  const secondBatch = dynamoSince(mark);
  await home.uploadOut(jobId, { 'output.json': '{"ok":true}' });
  mark = home.counts().dynamodb;
  await home.stopped(task, { exitCode: 0 });
  const completion = dynamoSince(mark);
  return { jobId, dispatch, firstBatch, secondBatch, completion };
};

describe('DynamoDB requests of a job with no subscriber (bench/awsRequests.ts counts them all)', () => {
  it('costs a log batch its put and one subscription read, and the first batch of a fresh job no tail read', async () => {
    // Arrange: a warm home (the first job pays the cold reads).
    vi.resetModules();
    home = await startAwsHome();
    await measuredJob();

    // Act
    const { jobId, dispatch, firstBatch, secondBatch, completion } = await measuredJob();

    // Assert: no send lease is taken for a job nobody watches, the tail is not read (the task says
    // the job's log was empty at launch, so the first batch goes to seq 1 under its conditional
    // write), and the tenant's secrets are not read for a job whose task says it got none.
    expect(firstBatch).toEqual({ PutItem: 1, GetItem: 1 });
    expect(secondBatch).toEqual({ PutItem: 1, GetItem: 1 });
    // No status push reads the subscriptions of a job nobody subscribed to (its transitions return
    // the job without the watched mark). The dispatch does not read the job (its message carries it,
    // checked by the claim's conditional write), nor the tenant's variables (the warm-up job, submitted
    // under the same version of them, read them). It writes four times: the slot (one conditional
    // update on the slot after the one the last job took: the held slots are not read when that slot
    // is free), the claim, the queued count, `running`.
    expect(dispatch).toEqual({ UpdateItem: 4 });
    // The completion reads the job once and takes the drain's position and the final lastSeq from
    // the recorder's cursor: no log tail Query, one job GetItem, no subscription GetItem.
    // Nor the waiting index: the freed slot was not marked, no job can be waiting for it.
    expect(completion['GetItem']).toBe(1);
    expect(completion['Query']).toBeUndefined();
    const view = await home.rest('GET', `/jobs/${jobId}`);
    expect(view.body.status).toBe('completed');
    expect((await home.rest('GET', `/jobs/${jobId}/logs`)).body.items.map((l: { line: string }) => l.line)).toEqual([
      'one',
      'two',
      'three',
    ]);
    expect(total(firstBatch) + total(secondBatch)).toBe(4);
  });
});
