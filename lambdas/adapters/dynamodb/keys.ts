import type { JobStatus, Priority, SlotPool } from '../../core';
import { ValidationError } from '../../core';

/**
 * Key values of every item kind. Tenant-owned items start with `T#<tenant>#`, and no key part may
 * contain `#`: otherwise tenant `a` with job `b#JOB#c` and tenant `a#JOB#b` with job `c` would share
 * a partition.
 */
function part(field: string, v: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.includes('#')) {
    throw new ValidationError(field, 'must be a non-empty string without "#"');
  }
  return v;
}

const SEQ_DIGITS = 12;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/** `n` zero-padded so that string order is numeric order. */
export function padSeq(n: number, field = 'seq'): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEQ) throw new ValidationError(field, `must be an integer from 0 to ${MAX_SEQ}`);
  return String(n).padStart(SEQ_DIGITS, '0');
}

export const LOG_PREFIX = 'LOG#';
export const SLOT_PREFIX = 'SLOT#';
export const SLOTS_PARTITION = 'SLOTS';
export const QUEUED_PARTITION = 'QUEUED';
/** Every event's own slots share one partition: `held(pool)` is a Query of its prefix, the tick's a Query of all. */
export const EVENT_SLOTS_PARTITION = 'EVSLOTS';
/** Sort-key prefix of one event's slots in EVENT_SLOTS_PARTITION. */
export const eventSlotPrefix = (pool: SlotPool) => `${SLOT_PREFIX}${part('tenant', pool.tenant)}#${part('eventId', pool.eventId)}#`;
/** Sort keys of every log batch of a job lie between these two. */
export const LOG_SK_MIN = `${LOG_PREFIX}${padSeq(0)}`;
export const LOG_SK_MAX = `${LOG_PREFIX}${padSeq(MAX_SEQ)}`;

/** A job's partition: its item, its log batches and its subscriptions item. */
const jobPk = (tenant: string, jobId: string) => `T#${part('tenant', tenant)}#JOB#${part('jobId', jobId)}`;

export const FIRE_PREFIX = 'FIRE#';
const schedulePk = (tenant: string, id: string) => `T#${part('tenant', tenant)}#SCHEDULE#${part('scheduleId', id)}`;

/** The partition of a tenant's servers. */
export const serversPartition = (tenant: string) => `T#${part('tenant', tenant)}#SERVER`;

/** The partition of a tenant's variables. */
export const variablesPartition = (tenant: string) => `T#${part('tenant', tenant)}#VAR`;

/** A workflow's partition, and a workflow run's (a run is one item holding every step's state). */
const workflowPk = (tenant: string, id: string) => `T#${part('tenant', tenant)}#WORKFLOW#${part('workflowId', id)}`;
const workflowRunPk = (tenant: string, id: string) => `T#${part('tenant', tenant)}#WFRUN#${part('workflowRunId', id)}`;

export const STATS_HOUR_PREFIX = 'HOUR#';
export const STATS_EVENT_PREFIX = 'EVENT#';
/** The partition of a tenant's statistics: its hourly totals and its events' hourly items. */
export const statsPartition = (tenant: string) => `T#${part('tenant', tenant)}#STATS`;

export const Keys = {
  /** An SSH server's circuit breaker, by server id (ids are unique across tenants; no tenant data in it). */
  circuit: (serverId: string) => ({ pk: `SSHCIRCUIT#${part('serverId', serverId)}`, sk: 'CIRCUIT' }),
  job: (tenant: string, jobId: string) => ({ pk: jobPk(tenant, jobId), sk: 'JOB' }),
  logBatch: (tenant: string, jobId: string, firstSeq: number) => ({
    pk: jobPk(tenant, jobId),
    sk: `${LOG_PREFIX}${padSeq(firstSeq, 'lines')}`,
  }),
  /** One item holds all of a job's subscriptions and their send lease. */
  subscriptions: (tenant: string, jobId: string) => ({ pk: jobPk(tenant, jobId), sk: 'SUBS' }),
  event: (tenant: string, eventId: string) => ({
    pk: `T#${part('tenant', tenant)}#EVENT#${part('eventId', eventId)}`,
    sk: 'EVENT',
  }),
  /** All of a tenant's variables share one partition, so listing them is one Query. */
  variable: (tenant: string, key: string) => ({ pk: variablesPartition(tenant), sk: part('key', key) }),
  /** All of a tenant's servers share one partition, like its variables. */
  server: (tenant: string, id: string) => ({ pk: serversPartition(tenant), sk: part('serverId', id) }),
  /** What the authorizer reads: it has no tenant yet, only the hash of the presented key. */
  apiKey: (hash: string) => ({ pk: `KEY#${part('hash', hash)}`, sk: 'KEY' }),
  /** The same key by its id, for revocation (an operator's has no tenant to go by) and listing. */
  apiKeyById: (id: string) => ({ pk: `KEYID#${part('keyId', id)}`, sk: 'KEYID' }),
  /** A schedule and its fires share a partition: the schedule at `SCHEDULE`, each fire at `FIRE#<time>`. */
  schedule: (tenant: string, id: string) => ({ pk: schedulePk(tenant, id), sk: 'SCHEDULE' }),
  scheduleFire: (tenant: string, id: string, fireAt: string) => ({
    pk: schedulePk(tenant, id),
    sk: `${FIRE_PREFIX}${part('fireAt', fireAt)}`,
  }),
  workflow: (tenant: string, id: string) => ({ pk: workflowPk(tenant, id), sk: 'WORKFLOW' }),
  workflowRun: (tenant: string, id: string) => ({ pk: workflowRunPk(tenant, id), sk: 'WFRUN' }),
  /** A tenant's totals of one hour (`YYYY-MM-DDTHH`), so a range of hours is one Query. */
  statsHour: (tenant: string, hour: string) => ({ pk: statsPartition(tenant), sk: `${STATS_HOUR_PREFIX}${part('hour', hour)}` }),
  /** One event's figures of one hour; hour first, so a range holds every event's items. */
  statsEventHour: (tenant: string, hour: string, eventId: string) => ({
    pk: statsPartition(tenant),
    sk: `${STATS_EVENT_PREFIX}${part('hour', hour)}#${part('eventId', eventId)}`,
  }),
  /** Every tenant's queued-job counter shares one partition, so the tick reads them with one Query. */
  queuedCount: (tenant: string) => ({ pk: QUEUED_PARTITION, sk: part('tenant', tenant) }),
  connection: (connectionId: string) => ({ pk: `CONN#${part('connectionId', connectionId)}`, sk: 'CONN' }),
  /**
   * All slots share one partition so `held()` is a strongly consistent Query of a few items,
   * not a Scan whose cost grows with every job and log batch in the table.
   */
  slot: (slot: number) => {
    if (!Number.isSafeInteger(slot) || slot < 0) throw new ValidationError('slot', 'must be a non-negative integer');
    return { pk: SLOTS_PARTITION, sk: `${SLOT_PREFIX}${String(slot).padStart(10, '0')}` };
  },
  /** A slot of one event's own limit. */
  eventSlot: (pool: SlotPool, slot: number) => {
    if (!Number.isSafeInteger(slot) || slot < 0) throw new ValidationError('slot', 'must be a non-negative integer');
    return { pk: EVENT_SLOTS_PARTITION, sk: `${eventSlotPrefix(pool)}${String(slot).padStart(10, '0')}` };
  },
} as const;

/** Sorts first for the highest priority. */
const priorityRank = (priority: Priority | undefined): number => (priority === 'high' ? 0 : priority === 'low' ? 2 : 1);

/** Partition values of the secondary indexes (see schema.ts). */
export const IndexKeys = {
  jobsByTenant: (tenant: string) => `T#${part('tenant', tenant)}#JOBS`,
  jobsByStatus: (tenant: string, status: JobStatus) => `T#${part('tenant', tenant)}#JOBS#${status}`,
  jobsByEvent: (tenant: string, eventId: string) => `T#${part('tenant', tenant)}#EVENT#${part('eventId', eventId)}#JOBS`,
  eventsByTenant: (tenant: string) => `T#${part('tenant', tenant)}#EVENTS`,
  apiKeysByTenant: (tenant: string) => `T#${part('tenant', tenant)}#KEYS`,
  schedulesByTenant: (tenant: string) => `T#${part('tenant', tenant)}#SCHEDULES`,
  workflowsByTenant: (tenant: string) => `T#${part('tenant', tenant)}#WORKFLOWS`,
  /** gsi3: a workflow's runs, newest first. */
  runsByWorkflow: (tenant: string, workflowId: string) => `T#${part('tenant', tenant)}#WORKFLOW#${part('workflowId', workflowId)}#RUNS`,
  /** The partition of gsi4 that holds running workflow runs, oldest first (`activeSort`). */
  runningRuns: 'WFRUNS',
  /** The partition of gsi4 that holds enabled schedules by next fire time. */
  schedulesDue: 'SCHEDULES',
  /** Soonest first; ISO times of one length sort as they compare. */
  dueSort: (nextFireAt: string, tenant: string, id: string) => `${nextFireAt}#${tenant}#${id}`,
  active: 'ACTIVE',
  /** The partition of gsi4 that holds queued jobs waiting for a slot. */
  waiting: 'WAITING',
  /** The partition of gsi4 that holds queued jobs waiting for a slot of their event's own limit. */
  waitingForEvent: 'EVWAIT',
  /** WAITING's sort key: priority first (high leads), then age. */
  waitingSort: (priority: Priority | undefined, createdAt: string, tenant: string, id: string) =>
    `${priorityRank(priority)}#${createdAt}#${tenant}#${id}`,
  /** EVWAIT's sort key: one event's waiting runs together, each event's in WAITING's order. */
  eventWaitingPrefix: (tenant: string, eventId: string) => `${part('tenant', tenant)}#${part('eventId', eventId)}#`,
  eventWaitingSort: (tenant: string, eventId: string, priority: Priority | undefined, createdAt: string, id: string) =>
    `${part('tenant', tenant)}#${part('eventId', eventId)}#${priorityRank(priority)}#${createdAt}#${id}`,
  /** Newest-first sort key of tenant listings; it ends with the id, which the cursor relies on. */
  created: (createdAt: string, id: string) => `${createdAt}#${id}`,
  activeSort: (createdAt: string, tenant: string, id: string) => `${createdAt}#${tenant}#${id}`,
} as const;
