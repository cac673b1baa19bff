import type { ApiKeyRecord, EventDef, Job, JobKey, JobStatus, LogLine, Runtime, Server, Variable } from '../model';
import type { Schedule, ScheduleFire } from '../schedules/scheduleModel';
import type { StatsBucket, StatsEntry } from '../stats/statsModel';
import type { Workflow, WorkflowRun } from '../workflows/workflowModel';

/** One page of a listing; `nextCursor` is opaque and absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface JobListQuery {
  status?: JobStatus;
  eventId?: string;
  runtime?: Runtime;
  /**
   * Jobs created at or after this instant, as `Date.prototype.toISOString` writes it (UTC,
   * milliseconds). Another form throws ValidationError('since').
   */
  since?: string;
  /** Jobs created before this instant (same form). Not after `since` throws ValidationError('until'). */
  until?: string;
  limit: number;
  /** From a previous page's `nextCursor`. A malformed cursor throws ValidationError('cursor'). */
  cursor?: string;
}

/** Jobs, each a single item; every change is a conditional write on `status` and `version`. */
export interface JobStore {
  /** @throws ConflictError when a job with that id exists. */
  create(job: Job): Promise<void>;
  get(key: JobKey): Promise<Job | undefined>;
  /**
   * Moves `job` to `to`, applying `patch`, only if the stored job still has `job.status` and `job.version`.
   * Returns the stored result (version + 1).
   * @throws ConflictError when the stored job changed since it was read.
   */
  transition(job: Job, to: JobStatus, patch?: Partial<Job>): Promise<Job>;
  /**
   * Marks the job `watched` (its status and version unchanged, so no transition conflicts with it).
   * @returns the job as stored after the mark, undefined when there is no such job.
   */
  watch(key: JobKey): Promise<Job | undefined>;
  /** A tenant's jobs, newest first. */
  list(tenant: string, query: JobListQuery): Promise<Page<Job>>;
  /**
   * Every non-terminal job of every tenant, oldest first, except those waiting for a slot
   * (`waitingSince` set): for the reaper and reconciliation.
   */
  listActive(): Promise<Job[]>;
  /**
   * The `limit` jobs waiting for a slot that come first: highest priority, then longest waiting.
   * With `pool`, those waiting for a slot of that event's own limit (`waitingForEvent`), else those
   * waiting for a global slot. Read from an index, so a job marked or unmarked a moment ago may be
   * missing or still listed.
   */
  nextWaiting(limit: number, pool?: SlotPool): Promise<Job[]>;
  /** Jobs waiting for a slot of some event's own limit, at most `limit`, for the tick's safety net. */
  waitingForEvents(limit: number): Promise<Job[]>;
  /** How many of a tenant's jobs are `queued` now (read from an index: a moment behind). */
  countQueued(tenant: string): Promise<number>;
}

export interface EventStore {
  put(event: EventDef): Promise<void>;
  get(tenant: string, id: string): Promise<EventDef | undefined>;
  /** A tenant's events, newest first. */
  list(tenant: string, query: { limit: number; cursor?: string }): Promise<Page<EventDef>>;
  /** @returns false when there was no such event. */
  delete(tenant: string, id: string): Promise<boolean>;
}

/** A batch of consecutive log lines, stored as one item. */
export interface LogBatch {
  lines: LogLine[];
  /** Stored log bytes of the job including this batch, for the per-job cap. */
  totalBytes: number;
  /** Launcher position after the batch's last line, to resume reading after a restart. */
  resumeToken?: string;
}

export interface LogTail {
  /** Seq of the last stored line, 0 when none. */
  lastSeq: number;
  /** `attempt` of the last stored line, when it has one (a retried job's later attempts). */
  attempt?: number;
  totalBytes: number;
  resumeToken?: string;
}

export interface LogStore {
  /** @throws ConflictError when a batch starting at the same seq exists (a second writer). */
  append(key: JobKey, batch: LogBatch): Promise<void>;
  /** Lines with seq > afterSeq, ascending, at most `limit` (whole batches may make it slightly fewer). */
  read(key: JobKey, afterSeq: number, limit: number): Promise<LogLine[]>;
  tail(key: JobKey): Promise<LogTail>;
}

/** A key stored under an id: every key created since keys have ids. */
export type IdentifiedApiKey = ApiKeyRecord & { id: string };

/** API keys, found by the hash of the secret (authentication) and by id (listing, revocation). */
export interface ApiKeyStore {
  /** Stores a key, or replaces the one with the same hash and id (an upgrade of its role). */
  put(record: IdentifiedApiKey): Promise<void>;
  /** Strongly consistent: a key just revoked is not found. */
  get(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Strongly consistent. */
  getById(id: string): Promise<IdentifiedApiKey | undefined>;
  /**
   * A tenant's keys, newest first. On DynamoDB this reads an index, so a key created a moment ago
   * may be missing from it for a moment.
   */
  list(tenant: string): Promise<IdentifiedApiKey[]>;
  /** Removes a key: first what authenticates it, then its id. Removing a missing key does nothing. */
  delete(record: IdentifiedApiKey): Promise<void>;
}

export interface Connection {
  connectionId: string;
  tenant: string;
  connectedAt: string;
}

/** A connection's interest in one job's log and status; `sentSeq` is the last line it was sent. */
export interface Subscription {
  connectionId: string;
  tenant: string;
  jobId: string;
  sentSeq: number;
}

/**
 * A job's send lease: whoever holds it is the only one pushing the job's log to its subscribers.
 * It carries every subscription of the job as it stood when the lease was taken; hand it back to
 * `releaseSendLease`.
 */
export interface SendLease {
  readonly subscriptions: readonly Subscription[];
}

/** What the holder of a send lease did with it. */
export interface SendProgress {
  /** The last line now sent, by connection id, for the subscriptions that advanced. */
  sent: ReadonlyMap<string, number>;
  /** Connection ids whose subscription ends (connection gone, or too slow). */
  closed: readonly string[];
}

export interface ConnectionStore {
  putConnection(c: Connection): Promise<void>;
  getConnection(connectionId: string): Promise<Connection | undefined>;
  deleteConnection(connectionId: string): Promise<void>;
  /** Creates or resets a subscription; a send lease held meanwhile does not overwrite it. */
  putSubscription(s: Subscription): Promise<void>;
  listSubscriptions(key: JobKey): Promise<Subscription[]>;
  deleteSubscription(key: JobKey, connectionId: string): Promise<void>;
  /**
   * Takes the job's send lease, one for all its subscriptions, if it is free or expired (`now` and
   * `leaseMs` in epoch ms). When another sender holds it, records that this one asked, so that the
   * holder looks again before it stops.
   * @returns the lease, or undefined when the job has no subscription or another sender holds it.
   */
  takeSendLease(key: JobKey, now: number, leaseMs: number): Promise<SendLease | undefined>;
  /**
   * Records what was sent and which subscriptions end, then frees the lease. A subscription put again
   * or deleted while the lease was held keeps that newer state.
   * @returns true when another sender asked for the lease while it was held: the holder looks again.
   */
  releaseSendLease(key: JobKey, lease: SendLease, progress: SendProgress): Promise<boolean>;
}

/**
 * How many jobs each tenant has `queued`, for the cap on them (docs/lifecycle.md, Limits): one counter
 * per tenant changed by atomic adds, the submission's conditional, and set again by the tick.
 */
/** What a submission learns from its place among its tenant's queued jobs. */
export interface QueuedAdmission {
  /** The tenant's variables version (VariableStore) as of this submission. */
  variablesVersion: number;
}

/**
 * Each tenant's count of queued jobs, kept with the version of its variables on the same item, so
 * the one write that admits a job also tells which variables it was submitted under.
 */
export interface QueuedCountStore {
  /** Adds one unless the count has reached `limit`. @returns the admission, or false at the cap. */
  reserve(tenant: string, limit: number): Promise<QueuedAdmission | false>;
  /** Adds `delta` (a job entered or left `queued` after its submission); the count never goes below 0. */
  add(tenant: string, delta: number): Promise<void>;
  /** Every tenant's counter. */
  list(): Promise<{ tenant: string; count: number }[]>;
  /** Sets a tenant's count (the tick's recount). */
  set(tenant: string, count: number): Promise<void>;
}

/** The slots of one event's own concurrency limit; without a pool, a slot is one of the global cap. */
export interface SlotPool {
  tenant: string;
  eventId: string;
}

/** Concurrency slots: a slot (of a pool) is held by at most one job. */
/** A held slot. `waiters`: marked because a job may wait for it (the global pool only). */
export interface HeldSlot {
  slot: number;
  holder: JobKey;
  waiters?: true;
}

/**
 * Concurrency slots. A global slot can be marked `waiters` (a job parked while it was held, or its
 * holder came from the waiting list), so its release says whether to look for a waiting job.
 */
export interface SlotStore {
  /**
   * `waiters` marks the slot as taken. A slot already held by `holder` stays held, its mark kept.
   * @returns true when `slot` was free (or already held by `holder`) and is now held by `holder`.
   */
  acquire(slot: number, holder: JobKey, pool?: SlotPool, opts?: { waiters?: boolean }): Promise<boolean>;
  /**
   * Frees `slot` if `holder` holds it; otherwise does nothing.
   * @returns true when the freed slot was marked `waiters`.
   */
  release(slot: number, holder: JobKey, pool?: SlotPool): Promise<boolean>;
  /** Marks a global slot `waiters`. @returns false when `holder` no longer holds it. */
  markWaiters(slot: number, holder: JobKey): Promise<boolean>;
  /** Slots currently held (of the pool). Strongly consistent. */
  held(pool?: SlotPool): Promise<HeldSlot[]>;
  /** Slots held in every event's pool, for the tick. */
  heldByEvents(): Promise<{ pool: SlotPool; slot: number; holder: JobKey }[]>;
}

/**
 * A tenant's variables. Every put and delete moves the tenant's variables version on once it is
 * written (QueuedCountStore.reserve reads it), so a copy of the list read after a version was seen
 * holds every change up to that version.
 */
export interface VariableStore {
  put(variable: Variable): Promise<void>;
  get(tenant: string, key: string): Promise<Variable | undefined>;
  /** All of a tenant's variables, by key (a tenant has few; no paging). */
  list(tenant: string): Promise<Variable[]>;
  /** @returns false when there was no such variable. */
  delete(tenant: string, key: string): Promise<boolean>;
}

export interface ServerStore {
  put(server: Server): Promise<void>;
  get(tenant: string, id: string): Promise<Server | undefined>;
  /** All of a tenant's servers (a tenant has few; no paging). */
  list(tenant: string): Promise<Server[]>;
  /** @returns false when there was no such server. */
  delete(tenant: string, id: string): Promise<boolean>;
  /**
   * Trust on first use: pins `fingerprint` as the server's host key only if it has none yet, in one
   * conditional write, so of two runners that race to pin different keys exactly one wins.
   * @returns false when the server already had a key pinned, or does not exist.
   */
  pinHostKey(tenant: string, id: string, fingerprint: string, trustedAt: string): Promise<boolean>;
}

/** Every store the core uses; one DynamoDB table implements all of them. */
export interface Store {
  jobs: JobStore;
  events: EventStore;
  logs: LogStore;
  apiKeys: ApiKeyStore;
  connections: ConnectionStore;
  slots: SlotStore;
  queued: QueuedCountStore;
  variables: VariableStore;
  servers: ServerStore;
  schedules: ScheduleStore;
  stats: StatsStore;
  workflows: WorkflowStore;
}

/**
 * Schedules and their fires. A schedule is one item written with a version check; an enabled one
 * with a next fire is also in an index by that time, so a tick reads only the due ones. A fire is one
 * item keyed by schedule id and fire time, created only if absent: that claim is what makes a fire
 * happen once, however many ticks race.
 */
export interface ScheduleStore {
  /** @throws ConflictError when a schedule with that id exists. */
  create(schedule: Schedule): Promise<void>;
  /** Strongly consistent. */
  get(tenant: string, id: string): Promise<Schedule | undefined>;
  /** A tenant's schedules, newest first. */
  list(tenant: string, query: { limit: number; cursor?: string }): Promise<Page<Schedule>>;
  /**
   * Replaces the schedule if the stored one still has version `schedule.version - 1`.
   * @throws ConflictError when it changed since it was read (or is gone).
   */
  update(schedule: Schedule): Promise<void>;
  /** @returns false when there was no such schedule. Its fires stay until they expire. */
  delete(tenant: string, id: string): Promise<boolean>;
  /**
   * Enabled schedules of every tenant whose next fire is at or before `until` (ISO), soonest first.
   * Read from an index: a schedule changed a moment ago may be stale or missing, so re-read it.
   */
  due(until: string, limit: number): Promise<Schedule[]>;
  /** Creates the fire unless one with the same schedule and time exists. @returns whether this call created it. */
  claimFire(fire: ScheduleFire): Promise<boolean>;
  getFire(tenant: string, scheduleId: string, fireAt: string): Promise<ScheduleFire | undefined>;
  /** Overwrites a claimed fire with its outcome. */
  recordFire(fire: ScheduleFire): Promise<void>;
  /**
   * A schedule's fires: newest first (`order: 'newest'`), or from `from` (ISO, inclusive) oldest first.
   */
  listFires(
    tenant: string,
    scheduleId: string,
    query: { limit: number; order: 'newest' } | { limit: number; order: 'oldest'; from: string },
  ): Promise<ScheduleFire[]>;
}

/**
 * Workflows and their runs. A run is one item (every step's state in it) written with a version
 * check; a running run is also in an index, so the tick finds runs a crash left behind.
 */
export interface WorkflowStore {
  /** Creates or replaces a workflow. */
  put(workflow: Workflow): Promise<void>;
  get(tenant: string, id: string): Promise<Workflow | undefined>;
  /** A tenant's workflows, newest first. */
  list(tenant: string, query: { limit: number; cursor?: string }): Promise<Page<Workflow>>;
  /** @returns false when there was no such workflow. Its runs stay. */
  delete(tenant: string, id: string): Promise<boolean>;
  /** @throws ConflictError when a run with that id exists. */
  createRun(run: WorkflowRun): Promise<void>;
  /** Strongly consistent. */
  getRun(tenant: string, id: string): Promise<WorkflowRun | undefined>;
  /**
   * Replaces the run if the stored one still has version `run.version - 1`.
   * @throws ConflictError when it changed since it was read.
   */
  updateRun(run: WorkflowRun): Promise<void>;
  /** A workflow's runs, newest first. */
  listRuns(tenant: string, workflowId: string, query: { limit: number; cursor?: string }): Promise<Page<WorkflowRun>>;
  /** Runs of every tenant still `running`, oldest first. Read from an index: re-read each before acting. */
  runningRuns(limit: number): Promise<WorkflowRun[]>;
}

/** Hour range of stats buckets, both ends included: `YYYY-MM-DDTHH` (UTC). */
export interface StatsHours {
  fromHour: string;
  lastHour: string;
}

/**
 * A tenant's job statistics, kept as jobs end in one item per tenant and hour and one per tenant,
 * hour and event (docs/statistics.md), so reading a range never reads the jobs themselves.
 */
export interface StatsStore {
  /** Adds one ended job to its hour's item of the tenant and, when it has an event, of the event: atomic ADDs, no read. */
  add(entry: StatsEntry): Promise<void>;
  /** The tenant's buckets of those hours, oldest first (hours without jobs are absent). */
  readTotals(tenant: string, hours: StatsHours): Promise<StatsBucket[]>;
  /** Its events' buckets of those hours; only `eventId`'s when given. */
  readEvents(tenant: string, hours: StatsHours & { eventId?: string }): Promise<StatsBucket[]>;
}

/** One server's circuit breaker as stored (epoch ms), shared by every process that connects to it. */
export interface CircuitRecord {
  /** Consecutive connection failures. */
  failures: number;
  /** Open until then; absent while closed. */
  openUntil?: number;
  /** A half-open trial connection is in flight until then (its lease). */
  trialUntil?: number;
}

/**
 * Where SSH circuit breakers keep their state, one record per server, so many runner processes
 * (Lambda instances on AWS) agree on a server that does not answer. Single-item conditional writes only.
 */
export interface CircuitStore {
  get(serverId: string): Promise<CircuitRecord | undefined>;
  /**
   * Counts one failure, ends any trial lease, and opens the circuit until `openUntil` when the count
   * reaches `threshold` or `reopen` (a failed trial). @returns the record after the write.
   */
  recordFailure(serverId: string, o: { threshold: number; openUntil: number; reopen: boolean }): Promise<CircuitRecord>;
  /** Closes the circuit: the server answered. */
  reset(serverId: string): Promise<void>;
  /**
   * Takes the half-open trial lease until `until`, unless another caller holds a live one (a
   * conditional write). @returns whether this caller holds it now.
   */
  takeTrial(serverId: string, now: number, until: number): Promise<boolean>;
}
