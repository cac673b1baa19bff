import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Connection, ConnectionStore, JobKey, SendLease, Subscription } from '../../core';
import { jobKeyId, ValidationError } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { compact, toModel, type Item } from './items';
import { Keys } from './keys';
import { TableKeys } from './schema';

/** Connections and subscriptions outlive any WebSocket connection API Gateway allows (2 h). */
export const CONNECTION_TTL_SECONDS = 24 * 60 * 60;

/** One subscription inside the job's subscriptions item. */
interface Entry {
  /** The last line sent. */
  seq: number;
  /** New on every put, so a lease holder never overwrites a subscription made again meanwhile. */
  rev: string;
  /** Epoch seconds after which reads ignore it. */
  exp: number;
}

type Entries = Record<string, Entry>;

/** The subscriptions item of a job (see {@link createDynamoConnectionStore}). */
interface SubscriptionsItem {
  subs?: Entries;
  v?: number;
  asks?: number;
  holder?: string;
}

/** What a handed-out lease remembers, out of the core's sight. */
interface Ticket {
  holder: string;
  asks: number;
  v: number;
  subs: Entries;
}

const SUBS = 'subs';
const VERSION = 'v';
const ASKS = 'asks';
const HOLDER = 'holder';
const LOCKED_UNTIL = 'lockedUntil';
/** Conditional writes lost to a concurrent subscribe before a release gives up (the lease then expires). */
const RELEASE_ATTEMPTS = 8;
/** Jobs this process remembers having subscribers (a hint: which request a lease starts with). */
const MAX_WATCHED_HINTS = 10_000;

const checkConnectionId = (connectionId: string): string => {
  if (typeof connectionId !== 'string' || connectionId.length === 0 || connectionId.includes('#')) {
    throw new ValidationError('connectionId', 'must be a non-empty string without "#"');
  }
  return connectionId;
};

/**
 * The ConnectionStore: connections at `CONN#<id>` / `CONN`; all subscriptions of a job in one item of
 * its partition (`SUBS`): a map from connection id to `{seq, rev, exp}`, a version `v` bumped by every
 * change to the map, and the job's send lease (`holder`, `lockedUntil`, and `asks`, counting the
 * senders that found it taken). So taking the lease returns every subscriber's position, and releasing
 * it records them all: two single-item writes per delivery pass, whatever the number of subscribers.
 * The item is bounded by DynamoDB's 400 KB, a few thousand subscribers of one job.
 */
export const createDynamoConnectionStore = (ctx: TableContext): ConnectionStore => {
  const { client, tableName } = ctx;
  const nowSeconds = () => Math.floor(ctx.now() / 1000);
  const expiresAt = () => nowSeconds() + CONNECTION_TTL_SECONDS;
  const live = (item: Item) => typeof item[TableKeys.ttl] !== 'number' || (item[TableKeys.ttl] as number) >= nowSeconds();
  const tickets = new WeakMap<SendLease, Ticket>();
  /** Jobs seen with subscribers lately: their lease starts with the write; others start with a read. */
  const watched = new Set<string>();
  const hint = (key: JobKey, has: boolean) => {
    const id = jobKeyId(key);
    watched.delete(id);
    if (!has) return;
    watched.add(id);
    if (watched.size > MAX_WATCHED_HINTS) watched.delete(watched.values().next().value!);
  };
  const hinted = (key: JobKey) => watched.has(jobKeyId(key));
  const keyOf = ({ tenant, jobId }: JobKey) => Keys.subscriptions(tenant, jobId);

  const liveEntries = (key: JobKey, subs: Entries = {}): Subscription[] => {
    const now = nowSeconds();
    return Object.entries(subs)
      .filter(([, e]) => e.exp >= now)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([connectionId, e]) => ({ connectionId, tenant: key.tenant, jobId: key.jobId, sentSeq: e.seq }));
  };

  const update = (operation: string, input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) =>
    call(
      operation,
      async () => (await client.send(new UpdateCommand({ TableName: tableName, ...input }))).Attributes as SubscriptionsItem | undefined,
      () => null,
    );

  const read = async (key: JobKey): Promise<SubscriptionsItem | undefined> => {
    const res = await call('GetItem', () => client.send(new GetCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true })));
    return res.Item as SubscriptionsItem | undefined;
  };

  /** Adds the entry to an existing map, or creates the map with it; each is conditional, so a race retries. */
  const putEntry = async (key: JobKey, connectionId: string, entry: Entry): Promise<void> => {
    for (;;) {
      const e = new Expr();
      const added = await update('UpdateItem', {
        Key: keyOf(key),
        UpdateExpression: `SET ${e.name(SUBS)}.${e.name(connectionId)} = ${e.value(entry)}, ${e.name(TableKeys.ttl)} = ${e.value(entry.exp)} ADD ${e.name(VERSION)} ${e.value(1)}`,
        ConditionExpression: `attribute_exists(${e.name(SUBS)})`,
        ...e.params(),
      });
      if (added !== null) return;
      const f = new Expr();
      const created = await update('UpdateItem', {
        Key: keyOf(key),
        UpdateExpression: `SET ${f.name(SUBS)} = ${f.value({ [connectionId]: entry })}, ${f.name(TableKeys.ttl)} = ${f.value(entry.exp)} ADD ${f.name(VERSION)} ${f.value(1)}`,
        ConditionExpression: `attribute_not_exists(${f.name(SUBS)})`,
        ...f.params(),
      });
      if (created !== null) return;
    }
  };

  /** Takes the lease if free or expired. `null`: taken, or the job has no subscriptions item. */
  const tryLock = async (key: JobKey, holder: string, now: number, leaseMs: number) => {
    const e = new Expr();
    const lock = e.name(LOCKED_UNTIL);
    return update('UpdateItem', {
      Key: keyOf(key),
      UpdateExpression: `SET ${e.name(HOLDER)} = ${e.value(holder)}, ${lock} = ${e.value(now + leaseMs)}`,
      ConditionExpression: `attribute_exists(${e.name(SUBS)}) AND (attribute_not_exists(${lock}) OR ${lock} < ${e.value(now)})`,
      ReturnValues: 'ALL_NEW',
      ...e.params(),
    });
  };

  /** Leaves a mark for the holder. @returns false when there is no subscriptions item at all. */
  const ask = async (key: JobKey): Promise<boolean> => {
    const e = new Expr();
    const asked = await update('UpdateItem', {
      Key: keyOf(key),
      UpdateExpression: `ADD ${e.name(ASKS)} ${e.value(1)}`,
      ConditionExpression: `attribute_exists(${e.name(SUBS)})`,
      ...e.params(),
    });
    return asked !== null;
  };

  /** The map as the holder leaves it: its progress applied wherever the subscription is still the one it served. */
  const merged = (subs: Entries, ticket: Ticket, sent: ReadonlyMap<string, number>, closed: readonly string[]): Entries => {
    const now = nowSeconds();
    const out: Entries = {};
    for (const [id, entry] of Object.entries(subs)) if (entry.exp >= now) out[id] = { ...entry };
    const same = (id: string) => out[id] !== undefined && out[id].rev === ticket.subs[id]?.rev;
    for (const [id, seq] of sent) if (same(id)) out[id]!.seq = seq;
    for (const id of closed) if (same(id)) delete out[id];
    return out;
  };

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
      await putEntry(s, checkConnectionId(s.connectionId), { seq: s.sentSeq, rev: randomUUID(), exp: expiresAt() });
    },

    async listSubscriptions(key) {
      return liveEntries(key, (await read(key))?.subs);
    },

    async deleteSubscription(key, connectionId) {
      const e = new Expr();
      const entry = `${e.name(SUBS)}.${e.name(checkConnectionId(connectionId))}`;
      await update('UpdateItem', {
        Key: keyOf(key),
        UpdateExpression: `REMOVE ${entry} ADD ${e.name(VERSION)} ${e.value(1)}`,
        ConditionExpression: `attribute_exists(${entry})`,
        ...e.params(),
      });
    },

    async takeSendLease(key, now, leaseMs) {
      // Most jobs have no subscriber: one read says so, where the lease's writes would cost two.
      // It is strongly consistent, so a subscription put before it is seen, and one put after it
      // replays these lines itself.
      if (!hinted(key) && liveEntries(key, (await read(key))?.subs).length === 0) return undefined;
      const holder = randomUUID();
      let item = await tryLock(key, holder, now, leaseMs);
      // Taken: leave a mark, then try once more, since the holder may have released before the mark.
      if (item === null) {
        if (!(await ask(key))) {
          hint(key, false);
          return undefined;
        }
        item = await tryLock(key, holder, now, leaseMs);
      }
      if (!item) return undefined;
      const lease: SendLease = { subscriptions: liveEntries(key, item.subs) };
      hint(key, lease.subscriptions.length > 0);
      tickets.set(lease, { holder, asks: item.asks ?? 0, v: item.v ?? 0, subs: item.subs ?? {} });
      return lease;
    },

    async releaseSendLease(key, lease, { sent, closed }) {
      const ticket = tickets.get(lease);
      if (!ticket) return false;
      tickets.delete(lease);
      const changed = sent.size > 0 || closed.length > 0;
      let { v, subs } = ticket;
      for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
        const e = new Expr();
        const unlock = `REMOVE ${e.name(HOLDER)}, ${e.name(LOCKED_UNTIL)}`;
        const mine = `${e.name(HOLDER)} = ${e.value(ticket.holder)}`;
        const released = await update('UpdateItem', {
          Key: keyOf(key),
          ...(changed
            ? {
                UpdateExpression: `SET ${e.name(SUBS)} = ${e.value(merged(subs, ticket, sent, closed))} ${unlock} ADD ${e.name(VERSION)} ${e.value(1)}`,
                // The version proves no subscription was put or deleted since `subs` was read.
                ConditionExpression: `${mine} AND ${e.name(VERSION)} = ${e.value(v)}`,
              }
            : { UpdateExpression: unlock, ConditionExpression: mine }),
          ReturnValues: 'ALL_NEW',
          ...e.params(),
        });
        if (released) return (released.asks ?? 0) !== ticket.asks;
        const fresh = await read(key);
        // The lease expired and another sender took it: what is left is theirs.
        if (fresh?.holder !== ticket.holder) return false;
        v = fresh.v ?? 0;
        subs = fresh.subs ?? {};
      }
      return false;
    },
  };
};
