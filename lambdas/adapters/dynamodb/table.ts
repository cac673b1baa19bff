import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type TableDescription } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStoreError } from './errors';
import { TableIndexes, TableKeys } from './schema';

/**
 * The CreateTable request for the single table: string keys, the four GSIs projecting every
 * attribute, on-demand billing. The TTL attribute is not declared here (CreateTable cannot);
 * the CDK stack turns TTL on, and the stores filter expired items themselves.
 * @example await client.send(new CreateTableCommand(createTableInput('cronium')));
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(TableIndexes);
  const keyAttributes = [TableKeys.partitionKey, TableKeys.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: TableKeys.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

const isNamed = (e: unknown, name: string) => e instanceof Error && e.name === name;

async function describe(client: DynamoDBDocumentClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const res = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return res.Table;
  } catch (e) {
    if (isNamed(e, 'ResourceNotFoundException')) return undefined;
    throw new DynamoStoreError('DescribeTable', { cause: e });
  }
}

const isReady = (t: TableDescription | undefined) =>
  t?.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');

/**
 * Creates the table (see createTableInput) unless it exists, then waits until it and its indexes are ACTIVE.
 * Safe to call from several processes at once. For the local runtime and tests; on AWS the CDK stack owns the table.
 * @throws DynamoStoreError when DynamoDB fails or the table is not ACTIVE within `timeoutMs`.
 * @example await ensureTable(client, 'cronium');
 */
export async function ensureTable(client: DynamoDBDocumentClient, tableName: string, o: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  let table = await describe(client, tableName);
  if (!table) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (e) {
      // Another process created it first: wait for it as for our own.
      if (!isNamed(e, 'ResourceInUseException')) throw new DynamoStoreError('CreateTable', { cause: e });
    }
    table = await describe(client, tableName);
  }
  for (let delay = 25; !isReady(table); delay = Math.min(delay * 2, 1000)) {
    if (Date.now() > deadline) throw new DynamoStoreError(`CreateTable (${tableName} not ACTIVE in time)`);
    await new Promise((r) => setTimeout(r, delay));
    table = await describe(client, tableName);
  }
}
