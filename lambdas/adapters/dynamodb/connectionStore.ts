import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Connection, ConnectionStore, Subscription } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { compact, toModel, type Item } from './items';
import { Keys, SUB_PREFIX } from './keys';
import { queryAll } from './listing';
import { TableKeys } from './schema';

/** Connections and subscriptions outlive any WebSocket connection API Gateway allows (2 h). */
export const CONNECTION_TTL_SECONDS = 24 * 60 * 60;

const LOCKED_UNTIL = 'lockedUntil';
const toSubscription = (item: Item): Subscription => toModel<Subscription>(item, [LOCKED_UNTIL]);

/**
 * The ConnectionStore: connections at `CONN#<id>` / `CONN`; subscriptions in their job's partition
 * at `SUB#<connectionId>`, so a job's subscribers are one Query. Both carry a TTL that reads honour.
 * The send lease is `lockedUntil` (epoch ms) on the subscription, taken by one conditional update.
 */
export const createDynamoConnectionStore = (ctx: TableContext): ConnectionStore => {
  const { client, tableName } = ctx;
  const nowSeconds = () => Math.floor(ctx.now() / 1000);
  const expiresAt = () => nowSeconds() + CONNECTION_TTL_SECONDS;
  const live = (item: Item) => typeof item[TableKeys.ttl] !== 'number' || (item[TableKeys.ttl] as number) >= nowSeconds();

  return {
    async putConnection(c) {
      const item = { ...c, ...Keys.connection(c.connectionId), [TableKeys.ttl]: expiresAt() };
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
    },

    async getConnection(connectionId) {
      const res = await call('GetItem', () =>
        client.send(new GetCommand({ TableName: tableName, Key: Keys.connection(connectionId), ConsistentRead: true })),
      );
      return res.Item && live(res.Item) ? toModel<Connection>(res.Item) : undefined;
    },

    async deleteConnection(connectionId) {
      await call('DeleteItem', () => client.send(new DeleteCommand({ TableName: tableName, Key: Keys.connection(connectionId) })));
    },

    async putSubscription(s) {
      // A whole-item put: any lease a previous subscription held is gone with it.
      const item = { ...s, ...Keys.subscription(s.tenant, s.jobId, s.connectionId), [TableKeys.ttl]: expiresAt() };
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
    },

    async listSubscriptions({ tenant, jobId }) {
      const e = new Expr();
      const items = await queryAll(ctx, {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(Keys.job(tenant, jobId).pk)} AND begins_with(${e.name('sk')}, ${e.value(SUB_PREFIX)})`,
        ConsistentRead: true,
        ...e.params(),
      });
      return items.filter(live).map(toSubscription);
    },

    async deleteSubscription({ tenant, jobId }, connectionId) {
      await call('DeleteItem', () =>
        client.send(new DeleteCommand({ TableName: tableName, Key: Keys.subscription(tenant, jobId, connectionId) })),
      );
    },

    async lockSubscription({ tenant, jobId }, connectionId, now, leaseMs) {
      const e = new Expr();
      const lock = e.name(LOCKED_UNTIL);
      const ttl = e.name(TableKeys.ttl);
      const res = await call(
        'UpdateItem',
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: Keys.subscription(tenant, jobId, connectionId),
              UpdateExpression: `SET ${lock} = ${e.value(now + leaseMs)}`,
              // The item must exist (an update would otherwise create it) and not have expired.
              ConditionExpression:
                `attribute_exists(${e.name('pk')}) AND (attribute_not_exists(${lock}) OR ${lock} < ${e.value(now)})` +
                ` AND (attribute_not_exists(${ttl}) OR ${ttl} >= ${e.value(nowSeconds())})`,
              ReturnValues: 'ALL_NEW',
              ...e.params(),
            }),
          ),
        () => undefined,
      );
      return res?.Attributes ? toSubscription(res.Attributes) : undefined;
    },

    async unlockSubscription({ tenant, jobId }, connectionId, sentSeq) {
      const e = new Expr();
      await call(
        'UpdateItem',
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: Keys.subscription(tenant, jobId, connectionId),
              UpdateExpression: `SET ${e.name('sentSeq')} = ${e.value(sentSeq)} REMOVE ${e.name(LOCKED_UNTIL)}`,
              // A subscription deleted while its sender worked stays deleted.
              ConditionExpression: `attribute_exists(${e.name('pk')})`,
              ...e.params(),
            }),
          ),
        () => undefined,
      );
    },
  };
};
