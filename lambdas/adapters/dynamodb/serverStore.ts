import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Server, ServerStore } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { compact, toModel } from './items';
import { Keys, serversPartition } from './keys';
import { deleteItem, updateIf } from './itemOps';
import { queryAll } from './listing';

/**
 * The ServerStore: a tenant's servers share the partition `T#<tenant>#SERVER`, one item each,
 * so `list` is one Query. Keys and passphrases arrive already encrypted by the core.
 */
export const createDynamoServerStore = (ctx: TableContext): ServerStore => {
  const { client, tableName } = ctx;
  return {
    async put(server) {
      const item = { ...server, ...Keys.server(server.tenant, server.id) };
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
    },
    async get(tenant, id) {
      const res = await call('GetItem', () =>
        client.send(new GetCommand({ TableName: tableName, Key: Keys.server(tenant, id), ConsistentRead: true })),
      );
      return res.Item ? toModel<Server>(res.Item) : undefined;
    },
    async list(tenant) {
      const e = new Expr();
      const items = await queryAll(ctx, {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(serversPartition(tenant))}`,
        ConsistentRead: true,
        ...e.params(),
      });
      return items.map((item) => toModel<Server>(item));
    },
    async delete(tenant, id) {
      return deleteItem(ctx, Keys.server(tenant, id));
    },
    async pinHostKey(tenant, id, fingerprint, trustedAt) {
      return updateIf(
        ctx,
        Keys.server(tenant, id),
        (e) => `SET ${e.name('hostKeyFingerprint')} = ${e.value(fingerprint)}, ${e.name('hostKeyTrustedAt')} = ${e.value(trustedAt)}`,
        // The first key wins: a second runner's pin (another key, or the same) changes nothing.
        (e) => `attribute_exists(${e.name('pk')}) AND attribute_not_exists(${e.name('hostKeyFingerprint')})`,
      );
    },
  };
};
