import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord, ApiKeyStore, IdentifiedApiKey } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { compact, toModel, type Item } from './items';
import { IndexKeys, Keys } from './keys';
import { queryAll } from './listing';
import { TableIndexes } from './schema';

const { byTenant } = TableIndexes;

/**
 * The ApiKeyStore: two items per key, each holding the whole record (hash included, never the secret).
 * - `KEY#<hash>` / `KEY`: what the authorizer reads; it has only the presented key.
 * - `KEYID#<id>` / `KEYID`: what revocation reads, listed through gsi1 `T#<tenant>#KEYS`.
 *
 * Without transactions the two are written in an order that fails safe: a put writes the id item
 * first, a delete removes the hash item first. A crash in between leaves at worst a listed key that
 * does not authenticate (revoking it again cleans up), never a working key that cannot be revoked.
 * Keys stored before ids existed have only the hash item: they authenticate and are not listed.
 */
export const createDynamoApiKeyStore = (ctx: TableContext): ApiKeyStore => {
  const { client, tableName } = ctx;
  const put = (item: Item) => call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
  const remove = (key: { pk: string; sk: string }) =>
    call('DeleteItem', () => client.send(new DeleteCommand({ TableName: tableName, Key: key })));
  const read = async (key: { pk: string; sk: string }) =>
    (await call('GetItem', () => client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })))).Item;

  return {
    async put(record) {
      await put({
        ...record,
        ...Keys.apiKeyById(record.id),
        [byTenant.partitionKey]: IndexKeys.apiKeysByTenant(record.tenant),
        [byTenant.sortKey]: IndexKeys.created(record.createdAt, record.id),
      });
      await put({ ...record, ...Keys.apiKey(record.hash) });
    },

    async get(hash) {
      const item = await read(Keys.apiKey(hash));
      return item ? toModel<ApiKeyRecord>(item) : undefined;
    },

    async getById(id) {
      const item = await read(Keys.apiKeyById(id));
      return item ? toModel<IdentifiedApiKey>(item) : undefined;
    },

    async list(tenant) {
      const e = new Expr();
      const items = await queryAll(ctx, {
        IndexName: byTenant.name,
        KeyConditionExpression: `${e.name(byTenant.partitionKey)} = ${e.value(IndexKeys.apiKeysByTenant(tenant))}`,
        ScanIndexForward: false,
        ...e.params(),
      });
      return items.map((item) => toModel<IdentifiedApiKey>(item));
    },

    async delete(record) {
      await remove(Keys.apiKey(record.hash));
      await remove(Keys.apiKeyById(record.id));
    },
  };
};
