import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../../core/model';
import type { ApiKeyStore } from '../../core/ports/stores';
import { call, type TableContext } from './call';
import { compact, toModel } from './items';
import { Keys } from './keys';

/** The ApiKeyStore: one item per key hash at `KEY#<hash>` / `KEY` (the authorizer has no tenant yet). */
export const createDynamoApiKeyStore = ({ client, tableName }: TableContext): ApiKeyStore => ({
  async put(record) {
    await call('PutItem', () =>
      client.send(new PutCommand({ TableName: tableName, Item: compact({ ...record, ...Keys.apiKey(record.hash) }) })),
    );
  },

  async get(hash) {
    const res = await call('GetItem', () =>
      client.send(new GetCommand({ TableName: tableName, Key: Keys.apiKey(hash), ConsistentRead: true })),
    );
    return res.Item ? toModel<ApiKeyRecord>(res.Item) : undefined;
  },
});
