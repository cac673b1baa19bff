import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../lambdas/adapters/dynamodb';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';
import { callerFactory } from '../../helpers/factories';
import type { MemoryStore } from '../../helpers/memory/createMemoryStore';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
let db: DynamoBackend;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

/** A harness whose store is the DynamoDB adapter on dynalite: the job record meets DynamoDB's own rules. */
const dynamoHarness = async () => {
  const store = createDynamoStore({ tableName: await db.newTable(), client: db.client });
  return createHarness({ store: store as MemoryStore });
};

const endWithOutput = async (text: string) => {
  const h = await dynamoHarness();
  const job = await h.launch(acme);
  await h.cp.executions.exited(keyOf(job), { exitCode: 0, oomKilled: false, timedOut: false, outputs: { files: { 'output.json': text } } });
  await h.cp.executions.settled(keyOf(job));
  return h.stored(job);
};

describe('an output.json the job record cannot hold as it is', () => {
  it.each([
    ['a number past 2^53', '1e21'],
    ['a 400-digit number', '9'.repeat(400)],
    ['a number inside an object', '{"big": 123456789012345678901234567890}'],
    ['a "constructor" key', '{"constructor": 1}'],
    ['a "__proto__" key', '{"__proto__": {"polluted": true}}'],
    ['a reserved key deep inside', '{"a": [{"b": {"constructor": {"c": 2}}}]}'],
  ])('still ends the job completed, with the output refused and the reason said (%s)', async (_, text) => {
    const job = await endWithOutput(text);

    expect(job.status).toBe('completed');
    expect(job.output).toBeUndefined();
    expect(job.outputError).toMatch(/^out\/output\.json /);
  });

  it('keeps an output of ordinary numbers and keys whole', async () => {
    const job = await endWithOutput('{"n": 9007199254740991, "small": 0.5, "list": [1, "two", null], "proto": {"x": 1}}');

    expect(job.status).toBe('completed');
    expect(job.output).toEqual({ n: 9007199254740991, small: 0.5, list: [1, 'two', null], proto: { x: 1 } });
    expect(job.outputError).toBeUndefined();
  });
});
