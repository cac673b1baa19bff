import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NotificationRecord, ToolStore } from '../../core';
import { ValidationError } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { dueItems, getItem } from './itemOps';
import { compact, toModel, type Item } from './items';
import { Keys } from './keys';
import { TableIndexes, TableKeys } from './schema';

const { active } = TableIndexes;

/** Sort keys of a job's notifications, in its partition. */
const NOTIFY_PREFIX = 'NOTIFY#';
/** The partition of gsi4 that holds pending notifications by next attempt. */
const NOTIFICATIONS_DUE = 'NOTIFY';

const notificationKey = (tenant: string, jobId: string, id: string) => {
  if (id.length === 0 || id.includes('#')) throw new ValidationError('notification', 'must be a non-empty string without "#"');
  return { pk: Keys.job(tenant, jobId).pk, sk: `${NOTIFY_PREFIX}${id}` };
};

const signingKey = (tenant: string) => {
  if (tenant.length === 0 || tenant.includes('#')) throw new ValidationError('tenant', 'must be a non-empty string without "#"');
  return { pk: `T#${tenant}#TOOLS`, sk: 'SIGNING' };
};

const itemOf = (r: NotificationRecord): Item =>
  compact({
    ...r,
    ...notificationKey(r.tenant, r.jobId, r.id),
    ...(r.status === 'pending' && r.nextAttemptAt
      ? { [active.partitionKey]: NOTIFICATIONS_DUE, [active.sortKey]: `${r.nextAttemptAt}#${r.tenant}#${r.jobId}#${r.id}` }
      : {}),
  });

/**
 * The ToolStore: a job's notifications in its partition at `NOTIFY#<id>` (so they go with the job),
 * pending ones also in gsi4 `NOTIFY` by next attempt; a tenant's signing secret (ciphertext) at
 * `T#<tenant>#TOOLS` / `SIGNING`. Single-item conditional writes only.
 */
export const createDynamoToolStore = (o: { tableName: string; client: DynamoDBDocumentClient; clock?: () => number }): ToolStore => {
  const ctx: TableContext = { client: o.client, tableName: o.tableName, now: o.clock ?? Date.now };
  const { client, tableName } = ctx;
  const put = async (item: Item, condition: (e: Expr) => string): Promise<boolean> => {
    const e = new Expr();
    const ConditionExpression = condition(e);
    return call(
      'PutItem',
      async () => {
        await client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression, ...e.params() }));
        return true;
      },
      () => false,
    );
  };

  return {
    createNotification: (r) => put(itemOf(r), (e) => `attribute_not_exists(${e.name(TableKeys.partitionKey)})`),
    updateNotification: (r) => put(itemOf(r), (e) => `${e.name('version')} = ${e.value(r.version - 1)}`),

    async listNotifications(tenant, jobId) {
      const e = new Expr();
      const res = await call('Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: `${e.name(TableKeys.partitionKey)} = ${e.value(Keys.job(tenant, jobId).pk)} AND begins_with(${e.name(TableKeys.sortKey)}, ${e.value(NOTIFY_PREFIX)})`,
            ConsistentRead: true,
            ...e.params(),
          }),
        ),
      );
      return (res.Items ?? []).map((i) => toModel<NotificationRecord>(i));
    },

    async dueNotifications(until, limit) {
      return (await dueItems(ctx, NOTIFICATIONS_DUE, until, limit)).map((i) => toModel<NotificationRecord>(i));
    },

    async getSigningSecret(tenant) {
      const ciphertext: unknown = (await getItem(ctx, signingKey(tenant)))?.['ciphertext'];
      return typeof ciphertext === 'string' ? ciphertext : undefined;
    },

    putSigningSecret: (tenant, ciphertext) =>
      put(
        { ...signingKey(tenant), tenant, ciphertext, createdAt: new Date(ctx.now()).toISOString() },
        (e) => `attribute_not_exists(${e.name(TableKeys.partitionKey)})`,
      ),
  };
};
