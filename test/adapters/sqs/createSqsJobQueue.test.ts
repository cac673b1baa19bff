import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqsJobQueue, decodeJobMessage, EnqueueFailedError } from '../../../lambdas/adapters/sqs';
import { jobFactory } from '../../helpers/factories';

const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/cronium-jobs';
const key = { tenant: 'acme', jobId: '01JOB' };
const sqs = mockClient(SQSClient);
const queue = createSqsJobQueue({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl });
const sentInputs = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);

describe('createSqsJobQueue', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });
  afterAll(() => sqs.restore());

  it('sends the encoded job key to the queue, leaving the delay to the queue by default', async () => {
    await queue.enqueue(key);

    expect(sentInputs()).toHaveLength(1);
    const input = sentInputs()[0]!;
    expect(input.QueueUrl).toBe(queueUrl);
    expect(decodeJobMessage(input.MessageBody!)).toEqual(key);
    expect(input).not.toHaveProperty('DelaySeconds');
  });

  it('carries the job it is given in the body, so the dispatch need not read it', async () => {
    const job = jobFactory({ tenant: 'acme', id: '01JOB' });

    await queue.enqueue(key, { job });

    expect(decodeJobMessage(sentInputs()[0]!.MessageBody!)).toEqual({ ...key, job });
  });

  it.each([
    [30, 30],
    [0, 0],
    [1.2, 2],
    [-5, 0],
    [901, 900],
    [Number.POSITIVE_INFINITY, 900],
    [Number.NaN, 0],
  ])('sends a requested delay of %s s as DelaySeconds %s', async (requested, sent) => {
    await queue.enqueue(key, { delaySeconds: requested });

    expect(sentInputs()[0]!.DelaySeconds).toBe(sent);
  });

  it('wraps an SDK failure in EnqueueFailedError with the SDK error as cause', async () => {
    const sdkError = Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDenied' });
    sqs.on(SendMessageCommand).rejects(sdkError);

    const result = queue.enqueue(key);

    await expect(result).rejects.toBeInstanceOf(EnqueueFailedError);
    await expect(result).rejects.toMatchObject({ code: 'internal', key, queueUrl, cause: sdkError });
  });
});
