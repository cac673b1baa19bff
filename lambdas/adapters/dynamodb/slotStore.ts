import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { JobKey, SlotPool, SlotStore } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { EVENT_SLOTS_PARTITION, eventSlotPrefix, Keys, SLOT_PREFIX, SLOTS_PARTITION } from './keys';
import { updateIf } from './itemOps';
import { queryAll } from './listing';

interface SlotItem {
  slot: number;
  holder: JobKey;
  /** Only on a slot of an event's own limit. */
  pool?: SlotPool;
  /** A job may wait for this slot: its release looks for one. */
  waiters?: boolean;
}

const keyOf = (slot: number, pool: SlotPool | undefined) => (pool ? Keys.eventSlot(pool, slot) : Keys.slot(slot));

/** `holder` of the stored slot is `h`, in expression form. */
function heldBy(e: Expr, h: JobKey): string {
  const holder = e.name('holder');
  return `${holder}.${e.name('tenant')} = ${e.value(h.tenant)} AND ${holder}.${e.name('jobId')} = ${e.value(h.jobId)}`;
}

/**
 * The SlotStore: one item per held slot, all in the `SLOTS` partition (sort key `SLOT#<n>`), so
 * `held()` is a strongly consistent Query of just the slots. A slot is free when its item is absent.
 * Events' own limits work the same way in the `EVSLOTS` partition (`SLOT#<tenant>#<eventId>#<n>`).
 */
export const createDynamoSlotStore = (ctx: TableContext): SlotStore => {
  const { client, tableName } = ctx;

  return {
    async acquire(slot, holder, pool, opts = {}) {
      const item: SlotItem = {
        slot,
        holder: { tenant: holder.tenant, jobId: holder.jobId },
        ...(pool ? { pool: { tenant: pool.tenant, eventId: pool.eventId } } : {}),
        ...(opts.waiters ? { waiters: true } : {}),
      };
      // An update, not a put: re-acquiring keeps a `waiters` mark a parked job set meanwhile.
      return updateIf(
        ctx,
        keyOf(slot, pool),
        (e) =>
          `SET ${Object.entries(item)
            .map(([k, v]) => `${e.name(k)} = ${e.value(v)}`)
            .join(', ')}`,
        // Re-acquiring by the same holder succeeds, so a retried claim is harmless.
        (e) => `attribute_not_exists(${e.name('pk')}) OR (${heldBy(e, holder)})`,
      );
    },

    async release(slot, holder, pool) {
      const e = new Expr();
      const res = await call(
        'DeleteItem',
        () =>
          client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: keyOf(slot, pool),
              ConditionExpression: heldBy(e, holder),
              ReturnValues: 'ALL_OLD',
              ...e.params(),
            }),
          ),
        () => undefined,
      );
      return res?.Attributes?.['waiters'] === true;
    },

    async markWaiters(slot, holder) {
      return updateIf(
        ctx,
        keyOf(slot, undefined),
        (e) => `SET ${e.name('waiters')} = ${e.value(true)}`,
        (e) => heldBy(e, holder),
      );
    },

    async held(pool) {
      const e = new Expr();
      const partition = pool ? EVENT_SLOTS_PARTITION : SLOTS_PARTITION;
      const prefix = pool ? eventSlotPrefix(pool) : SLOT_PREFIX;
      const items = await queryAll(ctx, {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(partition)} AND begins_with(${e.name('sk')}, ${e.value(prefix)})`,
        ConsistentRead: true,
        ...e.params(),
      });
      return items.map((i) => {
        const { slot, holder, waiters } = i as unknown as SlotItem;
        return { slot, holder: { tenant: holder.tenant, jobId: holder.jobId }, ...(waiters ? { waiters: true as const } : {}) };
      });
    },

    async heldByEvents() {
      const e = new Expr();
      const items = await queryAll(ctx, {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(EVENT_SLOTS_PARTITION)}`,
        ConsistentRead: true,
        ...e.params(),
      });
      return items.map((i) => {
        const { slot, holder, pool } = i as unknown as Required<SlotItem>;
        return { pool: { tenant: pool.tenant, eventId: pool.eventId }, slot, holder: { tenant: holder.tenant, jobId: holder.jobId } };
      });
    },
  };
};
