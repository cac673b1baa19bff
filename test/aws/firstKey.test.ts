import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../lambdas/adapters/dynamodb';
import { createIdGenerator, systemClock } from '../../lambdas/adapters/system';
import { ConflictError, createAuth, defaultCoreConfig, hashApiKey } from '../../lambdas/core';
import { issueFirstKey } from '../../lambdas/handlers/aws/firstKey';
import { startDynalite, type DynamoBackend } from '../helpers/dynamo';

const cfn = mockClient(CloudFormationClient);
const REST = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/';
const WS = 'wss://def456.execute-api.eu-west-1.amazonaws.com/prod';

describe('the first operator key of a deployed stack (npm run aws:bootstrap)', () => {
  let db: DynamoBackend;
  let tableName: string;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());
  beforeEach(async () => {
    tableName = await db.newTable();
    cfn.reset();
    cfn.on(DescribeStacksCommand, { StackName: 'cronium' }).resolves({
      Stacks: [
        {
          StackName: 'cronium',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'RestApiUrl', OutputValue: REST },
            { OutputKey: 'WebSocketUrl', OutputValue: WS },
            { OutputKey: 'TableName', OutputValue: tableName },
          ],
        },
      ],
    });
  });

  /** What a bootstrap rejects with. */
  const rejection = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err,
    );
  const bootstrap = (another?: boolean) =>
    issueFirstKey({ stackName: 'cronium', cloudFormation: new CloudFormationClient({}), documentClient: db.client, another });

  it("stores only the key's hash in the stack's table, and the key authenticates as the operator of default", async () => {
    const first = await bootstrap();

    expect(first).toMatchObject({ tenant: 'default', role: 'operator', restUrl: REST.replace(/\/$/, ''), webSocketUrl: WS });
    const store = createDynamoStore({ tableName, client: db.client });
    const [stored] = await store.apiKeys.list('default');
    expect(stored).toMatchObject({ hash: hashApiKey(first.key), role: 'operator' });
    expect(JSON.stringify(stored)).not.toContain(first.key);
    const auth = createAuth({ store, clock: systemClock, ids: createIdGenerator(), config: defaultCoreConfig });
    expect(await auth.authenticate(first.key)).toEqual({ tenant: 'default', role: 'operator' });
  });

  it('refuses a second operator key unless asked for another, naming the one that exists', async () => {
    const first = await bootstrap();

    const err = await rejection(bootstrap());
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toContain(first.key.slice(-4));
    expect((await bootstrap(true)).key).not.toBe(first.key);
  });

  it('names the missing output of a stack that is not a (finished) Cronium stack', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'other', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });

    expect(((await rejection(bootstrap())) as Error).message).toMatch(/has no TableName output/);
  });
});
