import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, isTerminal, type Job, ValidationError } from '../../core';
import type { JobListQuery, JobStore } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { compact, toModel, type Item } from './items';
import { IndexKeys, Keys } from './keys';
import { listNewestFirst, queryAll, type IndexPartition, type SortKeyRange } from './listing';
import { TableIndexes, type TableIndex } from './schema';

const { byTenant, byStatus, byEvent, active } = TableIndexes;

/** A queued job marked as waiting for a slot (it has no queue message). */
const isWaiting = (job: Job) => job.status === 'queued' && job.waitingSince !== undefined;

/**
 * Index attributes a job in this state carries. gsi3 only with an event; gsi4 only while the
 * status is non-terminal: in the WAITING partition while the job waits for a slot, else in ACTIVE,
 * so ACTIVE holds exactly the jobs the reaper must watch and a job end finds the next waiting job
 * with one Query (Limit) instead of reading every active job.
 */
function indexAttributes(job: Job): Item {
  const created = IndexKeys.created(job.createdAt, job.id);
  return {
    [byTenant.partitionKey]: IndexKeys.jobsByTenant(job.tenant),
    [byTenant.sortKey]: created,
    [byStatus.partitionKey]: IndexKeys.jobsByStatus(job.tenant, job.status),
    [byStatus.sortKey]: created,
    ...(job.eventId !== undefined
      ? { [byEvent.partitionKey]: IndexKeys.jobsByEvent(job.tenant, job.eventId), [byEvent.sortKey]: created }
      : {}),
    ...(!isTerminal(job.status) ? activeIndex(job) : {}),
  };
}

/**
 * gsi4 of a non-terminal job: `ACTIVE` by age for the reaper; while it waits, `WAITING` by priority
 * then age, or `EVWAIT` when it waits for a slot of its event's own limit (that event's runs together).
 */
function activeIndex(job: Job): Item {
  if (isWaiting(job) && job.waitingForEvent && job.eventId !== undefined) {
    return {
      [active.partitionKey]: IndexKeys.waitingForEvent,
      [active.sortKey]: IndexKeys.eventWaitingSort(job.tenant, job.eventId, job.priority, job.createdAt, job.id),
    };
  }
  if (isWaiting(job)) {
    return {
      [active.partitionKey]: IndexKeys.waiting,
      [active.sortKey]: IndexKeys.waitingSort(job.priority, job.createdAt, job.tenant, job.id),
    };
  }
  return { [active.partitionKey]: IndexKeys.active, [active.sortKey]: IndexKeys.activeSort(job.createdAt, job.tenant, job.id) };
}

const allIndexAttributes = Object.values(TableIndexes).flatMap((i) => [i.partitionKey, i.sortKey]);

/** Fields a patch may not change: the keys are built from them, and `transition` owns status and version. */
const fixedFields = ['tenant', 'id', 'createdAt', 'status', 'version'] as const satisfies readonly (keyof Job)[];

const toJob = (item: Item): Job => toModel<Job>(item);

/** The JobStore over the single table: one item per job at `T#<tenant>#JOB#<id>` / `JOB`. */
export const createDynamoJobStore = (ctx: TableContext): JobStore => {
  const { client, tableName } = ctx;

  return {
    async create(job) {
      await call(
        'PutItem',
        () =>
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: compact({ ...job, ...Keys.job(job.tenant, job.id), ...indexAttributes(job) }),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        (cause) => {
          throw new ConflictError(`job ${job.id} already exists`, { cause });
        },
      );
    },

    async get({ tenant, jobId }) {
      const res = await call('GetItem', () =>
        client.send(new GetCommand({ TableName: tableName, Key: Keys.job(tenant, jobId), ConsistentRead: true })),
      );
      return res.Item ? toJob(res.Item) : undefined;
    },

    async watch({ tenant, jobId }) {
      const e = new Expr();
      const res = await call(
        'UpdateItem',
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: Keys.job(tenant, jobId),
              UpdateExpression: `SET ${e.name('watched')} = ${e.value(true)}`,
              ConditionExpression: `attribute_exists(${e.name('pk')})`,
              ReturnValues: 'ALL_NEW',
              ...e.params(),
            }),
          ),
        () => null,
      );
      return res?.Attributes ? toJob(res.Attributes) : undefined;
    },

    async transition(job, to, patch = {}) {
      const fixed = { tenant: job.tenant, id: job.id, createdAt: job.createdAt, status: to, version: job.version + 1 };
      for (const f of fixedFields) {
        if (f in patch && patch[f] !== fixed[f]) throw new ValidationError(`patch.${f}`, 'cannot be changed by a transition');
      }
      const next: Job = { ...job, ...patch, ...fixed };
      const indexes = indexAttributes(next);
      const set: Item = { ...indexes, status: to, version: fixed.version };
      const remove: string[] = allIndexAttributes.filter((a) => !(a in indexes));
      for (const [k, v] of Object.entries(patch)) {
        if ((fixedFields as readonly string[]).includes(k)) continue;
        if (v === undefined) remove.push(k);
        else set[k] = compact(v);
      }

      const e = new Expr();
      const assignments = Object.entries(set).map(([k, v]) => `${e.name(k)} = ${e.value(v)}`);
      const update = `SET ${assignments.join(', ')}${remove.length ? ` REMOVE ${remove.map((k) => e.name(k)).join(', ')}` : ''}`;
      const condition = `${e.name('status')} = ${e.value(job.status)} AND ${e.name('version')} = ${e.value(job.version)}`;
      const res = await call(
        'UpdateItem',
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: Keys.job(job.tenant, job.id),
              UpdateExpression: update,
              ConditionExpression: condition,
              ReturnValues: 'ALL_NEW',
              ...e.params(),
            }),
          ),
        (cause) => {
          throw new ConflictError(`job ${job.id} is no longer ${job.status} at version ${job.version}`, { cause });
        },
      );
      return toJob(res.Attributes ?? {});
    },

    async list(tenant, q: JobListQuery) {
      return listNewestFirst(ctx, jobPartition(tenant, q), q, toJob);
    },

    async listActive() {
      const e = new Expr();
      const items = await queryAll(ctx, {
        IndexName: active.name,
        KeyConditionExpression: `${e.name(active.partitionKey)} = ${e.value(IndexKeys.active)}`,
        ScanIndexForward: true,
        ...e.params(),
      });
      return items.map(toJob);
    },

    async nextWaiting(limit, pool) {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('limit', 'must be a positive integer');
      // One partition for every waiting job, on purpose: a job end reads its head (one Query, Limit n),
      // which needs one sort order (priority, then age),
      // and shards would cost one Query each per job end. Its load: two index writes per job that
      // waits (marked, unmarked) and one read per job end. At 1,000 concurrent jobs of a minute or
      // more (Fargate alone takes ~30 s to start) that is under 20 ends/s and 40 index writes/s, far
      // below a partition's 1,000 writes and 3,000 reads per second.
      const e = new Expr();
      const key = pool
        ? `${e.name(active.partitionKey)} = ${e.value(IndexKeys.waitingForEvent)} AND begins_with(${e.name(active.sortKey)}, ${e.value(IndexKeys.eventWaitingPrefix(pool.tenant, pool.eventId))})`
        : `${e.name(active.partitionKey)} = ${e.value(IndexKeys.waiting)}`;
      const res = await call('Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: active.name,
            KeyConditionExpression: key,
            ScanIndexForward: true,
            Limit: limit,
            ...e.params(),
          }),
        ),
      );
      return (res.Items ?? []).map(toJob);
    },

    async countQueued(tenant) {
      const e = new Expr();
      let count = 0;
      let startKey: Item | undefined;
      do {
        const res = await call('Query', () =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: byStatus.name,
              KeyConditionExpression: `${e.name(byStatus.partitionKey)} = ${e.value(IndexKeys.jobsByStatus(tenant, 'queued'))}`,
              Select: 'COUNT',
              ExclusiveStartKey: startKey,
              ...e.params(),
            }),
          ),
        );
        count += res.Count ?? 0;
        startKey = res.LastEvaluatedKey;
      } while (startKey);
      return count;
    },

    async waitingForEvents(limit) {
      const e = new Expr();
      const res = await call('Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: active.name,
            KeyConditionExpression: `${e.name(active.partitionKey)} = ${e.value(IndexKeys.waitingForEvent)}`,
            Limit: limit,
            ...e.params(),
          }),
        ),
      );
      return (res.Items ?? []).map(toJob);
    },
  };
};

/**
 * The narrowest index for a listing: by event, by status, or all of the tenant's jobs. Every one
 * sorts by `<createdAt>#<id>`, so the time bounds are a key condition on it; a status the index
 * does not select, and the runtime, are a filter.
 */
function jobPartition(tenant: string, q: JobListQuery): IndexPartition {
  const tableKey = (id: string) => Keys.job(tenant, id);
  const { status, eventId, runtime } = q;
  const range = createdRange(q);
  const equal = (field: string, value: string | undefined) =>
    value === undefined ? [] : [(e: Expr) => `${e.name(field)} = ${e.value(value)}`];
  const partition = (index: TableIndex, key: string, filters: ((e: Expr) => string)[]): IndexPartition => ({
    index,
    partition: key,
    tableKey,
    range,
    ...(filters.length ? { filter: (e: Expr) => filters.map((f) => f(e)).join(' AND ') } : {}),
  });
  if (eventId !== undefined)
    return partition(byEvent, IndexKeys.jobsByEvent(tenant, eventId), [...equal('status', status), ...equal('runtime', runtime)]);
  if (status !== undefined) return partition(byStatus, IndexKeys.jobsByStatus(tenant, status), equal('runtime', runtime));
  return partition(byTenant, IndexKeys.jobsByTenant(tenant), equal('runtime', runtime));
}

/** An instant as `toISOString` writes it, the form of `createdAt` (so the two compare as strings). */
function instant(field: 'since' | 'until', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== value) {
    throw new ValidationError(field, 'must be an ISO 8601 time in UTC with milliseconds, such as 2026-01-31T09:00:00.000Z');
  }
  return value;
}

/**
 * `since` (inclusive) and `until` (exclusive) as bounds on `<createdAt>#<id>`. `until` itself is
 * an inclusive upper bound that no key equals: a job created at `until` has the key `<until>#<id>`,
 * which sorts after `<until>`, so it is left out, and every earlier job sorts before it.
 */
function createdRange(q: JobListQuery): SortKeyRange {
  const since = instant('since', q.since);
  const until = instant('until', q.until);
  if (since !== undefined && until !== undefined && until <= since) throw new ValidationError('until', 'must be after since');
  return { ...(since !== undefined ? { atLeast: since } : {}), ...(until !== undefined ? { atMost: until } : {}) };
}
