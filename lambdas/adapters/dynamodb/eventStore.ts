import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventDef, EventStore } from '../../core';
import { call, type TableContext } from './call';
import { deleteItem, getItem } from './itemOps';
import { compact, toModel, type Item } from './items';
import { IndexKeys, Keys } from './keys';
import { listNewestFirst } from './listing';
import { TableIndexes } from './schema';

const { byTenant } = TableIndexes;
const toEvent = (item: Item): EventDef => toModel<EventDef>(item);

/** The EventStore: one item per event at `T#<tenant>#EVENT#<id>` / `EVENT`, listed through gsi1 `T#<tenant>#EVENTS`. */
export const createDynamoEventStore = (ctx: TableContext): EventStore => {
  const { client, tableName } = ctx;

  return {
    async put(event) {
      const item = {
        ...event,
        ...Keys.event(event.tenant, event.id),
        [byTenant.partitionKey]: IndexKeys.eventsByTenant(event.tenant),
        [byTenant.sortKey]: IndexKeys.created(event.createdAt, event.id),
      };
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
    },

    async get(tenant, id) {
      const item = await getItem(ctx, Keys.event(tenant, id));
      return item ? toEvent(item) : undefined;
    },

    list(tenant, q) {
      const partition = { index: byTenant, partition: IndexKeys.eventsByTenant(tenant), tableKey: (id: string) => Keys.event(tenant, id) };
      return listNewestFirst(ctx, partition, q, toEvent);
    },

    delete: (tenant, id) => deleteItem(ctx, Keys.event(tenant, id)),
  };
};
