import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoStore, DynamoStoreError } from '../../../lambdas/adapters/dynamodb';
import { ConflictError } from '../../../lambdas/core/errors';
import { jobFactory } from './fixtures';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const ddb = mockClient(client);
const store = createDynamoStore({ tableName: 'cronium', client });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('DynamoDB store error translation', () => {
  afterEach(() => ddb.reset());

  it('wraps an unexpected vendor error, keeping it as the cause', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    ddb.on(GetCommand).rejects(throttled);

    const read = store.jobs.get({ tenant: 'acme', jobId: 'job1' });

    await expect(read).rejects.toBeInstanceOf(DynamoStoreError);
    await expect(read).rejects.toMatchObject({ code: 'internal', operation: 'GetItem', cause: throttled });
  });

  it('turns a failed create condition into a ConflictError with the vendor error as cause', async () => {
    const failed = conditionFailed();
    ddb.on(PutCommand).rejects(failed);

    const create = store.jobs.create(jobFactory());

    await expect(create).rejects.toBeInstanceOf(ConflictError);
    await expect(create).rejects.toMatchObject({ cause: failed });
  });

  it('sends a transition as one conditional update on status and version that returns the new item', async () => {
    const job = jobFactory({ eventId: 'ev1' });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...job, status: 'completed', version: 1, pk: 'x', sk: 'JOB', gsi1pk: 'y' } });

    const done = await store.jobs.transition(job, 'completed', { exitCode: 0, slot: undefined });

    const [call] = ddb.commandCalls(UpdateCommand);
    const input = call!.args[0].input;
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const named = (expr: string) => expr.replace(/#n\d+/g, (p) => names[p]!).replace(/:v\d+/g, (p) => JSON.stringify(values[p]));
    expect(ddb.calls()).toHaveLength(1);
    expect(input.Key).toEqual({ pk: 'T#acme#JOB#job1', sk: 'JOB' });
    expect(input.ReturnValues).toBe('ALL_NEW');
    expect(named(input.ConditionExpression!)).toBe('status = "queued" AND version = 0');
    expect(named(input.UpdateExpression!)).toContain('status = "completed"');
    expect(named(input.UpdateExpression!)).toContain('version = 1');
    expect(named(input.UpdateExpression!)).toContain('exitCode = 0');
    expect(named(input.UpdateExpression!)).toContain('gsi2pk = "T#acme#JOBS#completed"');
    expect(named(input.UpdateExpression!)).toMatch(/REMOVE .*gsi4pk, gsi4sk, slot$/);
    expect(done).toStrictEqual({ ...job, status: 'completed', version: 1 });
  });
});
