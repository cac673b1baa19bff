import { describe, expect, it } from 'vitest';
import { decodeJobMessage } from '../../../lambdas/adapters/sqs';
import { createLocalJobQueue, createLocalQueue } from '../../../lambdas/local/queue';

const T0 = 1_700_000_000_000;
const key = { tenant: 'acme', jobId: '01JOB' };

const setup = () => {
  const queue = createLocalQueue({ clock: { now: () => T0 } });
  return { queue, jobs: createLocalJobQueue({ queue }) };
};

describe('createLocalJobQueue', () => {
  it('enqueues a job as a codec message that is visible at once', async () => {
    const { queue, jobs } = setup();

    await jobs.enqueue(key);

    const [message] = queue.peek();
    expect(decodeJobMessage(message!.body)).toEqual(key);
    expect(message!.state).toBe('visible');
  });

  it.each([
    [1.2, 2_000],
    [30, 30_000],
    [5_000, 900_000],
    [-3, 0],
  ])('delays a job asked to wait %s s by %s ms, clamped like SQS', async (delaySeconds, delayMs) => {
    const { queue, jobs } = setup();

    await jobs.enqueue(key, { delaySeconds });

    expect(queue.peek()[0]!.visibleAt).toBe(T0 + delayMs);
  });
});
