import { asStoredVariable } from '../../../lambdas/adapters/dynamodb';
import { createMemoryScheduleStore } from './createMemoryScheduleStore';
import { createMemoryStatsStore } from './createMemoryStatsStore';
import { createMemoryWorkflowStore } from './createMemoryWorkflowStore';
import { ConflictError, ValidationError } from '../../../lambdas/core/errors';
import { isTerminal } from '../../../lambdas/core/model';
import type { ApiKeyRecord, EventDef, Job, JobKey, LogLine, Server, Variable } from '../../../lambdas/core/model';
import type {
  ApiKeyStore,
  Connection,
  ConnectionStore,
  EventStore,
  IdentifiedApiKey,
  JobListQuery,
  JobStore,
  LogBatch,
  LogStore,
  LogTail,
  Page,
  SendLease,
  ServerStore,
  QueuedCountStore,
  SlotPool,
  SlotStore,
  Store,
  Subscription,
  VariableStore,
} from '../../../lambdas/core/ports';

/** Everything the memory store holds, as plain copies: for assertions on what reached "storage". */
export interface MemoryStoreSnapshot {
  jobs: Job[];
  events: EventDef[];
  logBatches: { key: JobKey; batch: LogBatch }[];
  apiKeys: ApiKeyRecord[];
  connections: Connection[];
  subscriptions: Subscription[];
  slots: { slot: number; holder: JobKey }[];
  variables: Variable[];
}

/** The Store port in memory, plus a snapshot of its contents. */
export interface MemoryStore extends Store {
  snapshot(): MemoryStoreSnapshot;
}

const copy = <T>(v: T): T => structuredClone(v);

/** Key parts may not be empty or contain `#` (the DynamoDB keys are built from them). */
const part = (field: string, v: string): string => {
  if (typeof v !== 'string' || v.length === 0 || v.includes('#')) {
    throw new ValidationError(field, 'must be a non-empty string without "#"');
  }
  return v;
};

const MAX_SEQ = 10 ** 12 - 1;
const checkSeq = (n: number, field: string) => {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEQ) throw new ValidationError(field, `must be an integer from 0 to ${MAX_SEQ}`);
};
const checkLimit = (limit: number) => {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('limit', 'must be a positive integer');
};

const jobKeyOf = (tenant: string, jobId: string) => `${part('tenant', tenant)}#${part('jobId', jobId)}`;
const subKeyOf = (k: JobKey, connectionId: string) => `${jobKeyOf(k.tenant, k.jobId)}#${part('connectionId', connectionId)}`;

/** Opaque, URL-safe cursors holding the sort key of the last item returned. */
const encodeCursor = (sortKey: string): string => Buffer.from(JSON.stringify({ after: sortKey }), 'utf8').toString('base64url');

const decodeCursor = (cursor: string): string => {
  const bad = () => new ValidationError('cursor', 'is not a cursor returned by this listing');
  if (typeof cursor !== 'string' || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const after = (parsed as { after?: unknown } | null)?.after;
  if (typeof after !== 'string' || after.length === 0) throw bad();
  return after;
};

/** Newest first by `sortKey`, `limit` at a time; the last page carries no cursor. */
/** A newest-first page of `rows` with the adapter's cursor rules (shared with the schedule store). */
export const listNewestFirst = <T>(rows: { sortKey: string; value: T }[], page: { limit: number; cursor?: string }): Page<T> => {
  checkLimit(page.limit);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const sorted = [...rows]
    .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0))
    .filter((r) => after === undefined || r.sortKey < after);
  const items = sorted.slice(0, page.limit);
  const last = items.at(-1);
  const result: Page<T> = { items: items.map((r) => copy(r.value)) };
  if (sorted.length > page.limit && last) result.nextCursor = encodeCursor(last.sortKey);
  return result;
};

/** Fields a patch may not change (as in the DynamoDB adapter). */
const fixedFields = ['tenant', 'id', 'createdAt', 'status', 'version'] as const satisfies readonly (keyof Job)[];

const isWaiting = (j: Job) => j.status === 'queued' && j.waitingSince !== undefined;
const activeSortKey = (j: Job) => `${j.createdAt}#${j.tenant}#${j.id}`;
const oldestFirst = (list: Job[]) =>
  [...list].sort((a, b) => (activeSortKey(a) < activeSortKey(b) ? -1 : activeSortKey(a) > activeSortKey(b) ? 1 : 0));

const createJobStore = (jobs: Map<string, Job>): JobStore => ({
  async create(job) {
    const k = jobKeyOf(job.tenant, job.id);
    if (jobs.has(k)) throw new ConflictError(`job ${job.id} already exists`);
    jobs.set(k, copy(job));
  },

  async get({ tenant, jobId }) {
    const job = jobs.get(jobKeyOf(tenant, jobId));
    return job ? copy(job) : undefined;
  },

  async watch({ tenant, jobId }) {
    const job = jobs.get(jobKeyOf(tenant, jobId));
    if (!job) return undefined;
    job.watched = true;
    return copy(job);
  },

  async transition(job, to, patch = {}) {
    const fixed = { tenant: job.tenant, id: job.id, createdAt: job.createdAt, status: to, version: job.version + 1 };
    for (const f of fixedFields) {
      if (f in patch && patch[f] !== fixed[f]) throw new ValidationError(`patch.${f}`, 'cannot be changed by a transition');
    }
    const k = jobKeyOf(job.tenant, job.id);
    const stored = jobs.get(k);
    if (!stored || stored.status !== job.status || stored.version !== job.version) {
      throw new ConflictError(`job ${job.id} is no longer ${job.status} at version ${job.version}`);
    }
    const next: Record<string, unknown> = { ...copy(stored) };
    for (const [f, v] of Object.entries(patch)) {
      if ((fixedFields as readonly string[]).includes(f)) continue;
      if (v === undefined) delete next[f];
      else next[f] = copy(v);
    }
    next.status = to;
    next.version = fixed.version;
    jobs.set(k, next as unknown as Job);
    return copy(next as unknown as Job);
  },

  async list(tenant, q: JobListQuery) {
    part('tenant', tenant);
    if (q.since !== undefined && q.until !== undefined && q.until <= q.since) throw new ValidationError('until', 'must be after since');
    const rows = [...jobs.values()]
      .filter((j) => j.tenant === tenant)
      .filter((j) => q.status === undefined || j.status === q.status)
      .filter((j) => q.eventId === undefined || j.eventId === q.eventId)
      .filter((j) => q.runtime === undefined || j.runtime === q.runtime)
      .filter((j) => (q.since === undefined || j.createdAt >= q.since) && (q.until === undefined || j.createdAt < q.until))
      .map((j) => ({ sortKey: `${j.createdAt}#${j.id}`, value: j }));
    return listNewestFirst(rows, q);
  },

  async listActive() {
    return oldestFirst([...jobs.values()].filter((j) => !isTerminal(j.status) && !isWaiting(j))).map(copy);
  },

  async nextWaiting(limit, pool) {
    checkLimit(limit);
    const inPool = (j: Job) =>
      pool ? j.waitingForEvent === true && j.tenant === pool.tenant && j.eventId === pool.eventId : j.waitingForEvent !== true;
    return byPriority(oldestFirst([...jobs.values()].filter((j) => isWaiting(j) && inPool(j))))
      .slice(0, limit)
      .map(copy);
  },

  async countQueued(tenant) {
    return [...jobs.values()].filter((j) => j.tenant === tenant && j.status === 'queued').length;
  },

  async waitingForEvents(limit) {
    checkLimit(limit);
    return oldestFirst([...jobs.values()].filter((j) => isWaiting(j) && j.waitingForEvent === true))
      .slice(0, limit)
      .map(copy);
  },
});

const priorityRank = (j: Job) => (j.priority === 'high' ? 0 : j.priority === 'low' ? 2 : 1);
/** Stable: keeps age order within a priority, as the index's sort key does. */
const byPriority = (list: Job[]) => [...list].sort((a, b) => priorityRank(a) - priorityRank(b));

const createEventStore = (events: Map<string, EventDef>): EventStore => {
  const keyOf = (tenant: string, id: string) => `${part('tenant', tenant)}#${part('eventId', id)}`;
  return {
    async put(event) {
      events.set(keyOf(event.tenant, event.id), copy(event));
    },
    async get(tenant, id) {
      const event = events.get(keyOf(tenant, id));
      return event ? copy(event) : undefined;
    },
    async list(tenant, q) {
      part('tenant', tenant);
      const rows = [...events.values()].filter((e) => e.tenant === tenant).map((e) => ({ sortKey: `${e.createdAt}#${e.id}`, value: e }));
      return listNewestFirst(rows, q);
    },
    async delete(tenant, id) {
      return events.delete(keyOf(tenant, id));
    },
  };
};

interface StoredBatch {
  key: JobKey;
  firstSeq: number;
  batch: LogBatch;
}

const createLogStore = (logs: Map<string, Map<number, StoredBatch>>): LogStore => {
  const batchesOf = (key: JobKey): StoredBatch[] =>
    [...(logs.get(jobKeyOf(key.tenant, key.jobId))?.values() ?? [])].sort((a, b) => a.firstSeq - b.firstSeq);

  return {
    async append(key, batch) {
      const first = batch.lines[0];
      if (!first) throw new ValidationError('lines', 'a batch needs at least one line');
      if (batch.lines.some((l, i) => l.seq !== first.seq + i))
        throw new ValidationError('lines', 'seq must increase by one from line to line');
      checkSeq(first.seq, 'lines');
      const k = jobKeyOf(key.tenant, key.jobId);
      const batches = logs.get(k) ?? new Map<number, StoredBatch>();
      // Only an item with the same key conflicts, as with the conditional put on `LOG#<firstSeq>`.
      if (batches.has(first.seq)) throw new ConflictError(`log batch at seq ${first.seq} of job ${key.jobId} already exists`);
      batches.set(first.seq, { key: { tenant: key.tenant, jobId: key.jobId }, firstSeq: first.seq, batch: copy(batch) });
      logs.set(k, batches);
    },

    async read(key, afterSeq, limit) {
      checkLimit(limit);
      checkSeq(afterSeq, 'afterSeq');
      const out: LogLine[] = [];
      for (const { batch } of batchesOf(key)) {
        if ((batch.lines.at(-1)?.seq ?? 0) <= afterSeq) continue;
        for (const line of batch.lines) {
          if (out.length >= limit) return out;
          if (line.seq > afterSeq) out.push(copy(line));
        }
      }
      return out;
    },

    async tail(key) {
      const last = batchesOf(key).at(-1);
      if (!last) return { lastSeq: 0, totalBytes: 0 };
      const lastLine = last.batch.lines.at(-1);
      const tail: LogTail = { lastSeq: lastLine?.seq ?? 0, totalBytes: last.batch.totalBytes };
      if (last.batch.resumeToken !== undefined) tail.resumeToken = last.batch.resumeToken;
      if (lastLine?.attempt !== undefined) tail.attempt = lastLine.attempt;
      return tail;
    },
  };
};

/** Keys by hash, as the adapter keeps them; the id lookup and the listing derive from the same map. */
const createApiKeyStore = (apiKeys: Map<string, ApiKeyRecord>): ApiKeyStore => {
  const identified = () => [...apiKeys.values()].filter((r): r is IdentifiedApiKey => r.id !== undefined);
  return {
    async put(record) {
      part('keyId', record.id);
      part('tenant', record.tenant);
      apiKeys.set(part('hash', record.hash), copy(record));
    },
    async get(hash) {
      const record = apiKeys.get(part('hash', hash));
      return record ? copy(record) : undefined;
    },
    async getById(id) {
      part('keyId', id);
      const record = identified().find((r) => r.id === id);
      return record ? copy(record) : undefined;
    },
    async list(tenant) {
      part('tenant', tenant);
      const newestFirst = (a: IdentifiedApiKey, b: IdentifiedApiKey) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
      return identified()
        .filter((r) => r.tenant === tenant)
        .sort(newestFirst)
        .map(copy);
    },
    async delete(record) {
      apiKeys.delete(part('hash', record.hash));
    },
  };
};

interface StoredSubscription {
  sub: Subscription;
  /** Changes on every put, so a lease never overwrites a newer subscription. */
  revision: number;
}

/** One job's send lease; `asks` counts senders that found it taken. */
interface StoredLease {
  holder?: number;
  lockedUntil?: number;
  asks: number;
}

/** What a handed-out lease remembers, out of the core's sight. */
interface LeaseTicket {
  holder: number;
  asks: number;
  revisions: Map<string, number>;
}

const createConnectionStore = (connections: Map<string, Connection>, subscriptions: Map<string, StoredSubscription>): ConnectionStore => {
  const leases = new Map<string, StoredLease>();
  const tickets = new WeakMap<SendLease, LeaseTicket>();
  let revisions = 0;
  let holders = 0;
  const listed = (key: JobKey) => {
    const prefix = `${jobKeyOf(key.tenant, key.jobId)}#`;
    return [...subscriptions.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };
  return {
    async putConnection(c) {
      connections.set(part('connectionId', c.connectionId), copy(c));
    },
    async getConnection(connectionId) {
      const c = connections.get(part('connectionId', connectionId));
      return c ? copy(c) : undefined;
    },
    async deleteConnection(connectionId) {
      connections.delete(part('connectionId', connectionId));
    },

    async putSubscription(s) {
      subscriptions.set(subKeyOf({ tenant: s.tenant, jobId: s.jobId }, s.connectionId), { sub: copy(s), revision: ++revisions });
    },
    async listSubscriptions(key) {
      return listed(key).map(([, s]) => copy(s.sub));
    },
    async deleteSubscription(key, connectionId) {
      subscriptions.delete(subKeyOf(key, connectionId));
    },

    async takeSendLease(key, now, leaseMs) {
      const subs = listed(key);
      if (subs.length === 0) return undefined;
      const id = jobKeyOf(key.tenant, key.jobId);
      const lease = leases.get(id) ?? { asks: 0 };
      leases.set(id, lease);
      if (lease.lockedUntil !== undefined && !(lease.lockedUntil < now)) {
        lease.asks++;
        return undefined;
      }
      lease.holder = ++holders;
      lease.lockedUntil = now + leaseMs;
      const handed: SendLease = { subscriptions: subs.map(([, s]) => copy(s.sub)) };
      tickets.set(handed, {
        holder: lease.holder,
        asks: lease.asks,
        revisions: new Map(subs.map(([, s]) => [s.sub.connectionId, s.revision])),
      });
      return handed;
    },
    async releaseSendLease(key, handed, progress) {
      const ticket = tickets.get(handed);
      const lease = leases.get(jobKeyOf(key.tenant, key.jobId));
      // A lease that expired and was taken by another sender is theirs now.
      if (!ticket || !lease || lease.holder !== ticket.holder) return false;
      const current = (connectionId: string) => {
        const stored = subscriptions.get(subKeyOf(key, connectionId));
        return stored && stored.revision === ticket.revisions.get(connectionId) ? stored : undefined;
      };
      for (const [connectionId, sentSeq] of progress.sent) {
        const stored = current(connectionId);
        if (stored) stored.sub.sentSeq = sentSeq;
      }
      for (const connectionId of progress.closed) if (current(connectionId)) subscriptions.delete(subKeyOf(key, connectionId));
      delete lease.holder;
      delete lease.lockedUntil;
      return lease.asks !== ticket.asks;
    },
  };
};

const createQueuedCountStore = (counts: Map<string, number>, variablesVersions: Map<string, number>): QueuedCountStore => ({
  async reserve(tenant, limit) {
    const n = counts.get(part('tenant', tenant)) ?? 0;
    if (n >= limit) return false;
    counts.set(tenant, n + 1);
    return { variablesVersion: variablesVersions.get(tenant) ?? 0 };
  },
  async add(tenant, delta) {
    const n = counts.get(part('tenant', tenant)) ?? 0;
    if (n + delta >= 0) counts.set(tenant, n + delta);
  },
  async list() {
    return [...counts.entries()].map(([tenant, count]) => ({ tenant, count }));
  },
  async set(tenant, count) {
    counts.set(part('tenant', tenant), count);
  },
});

const createSlotStore = (slots: Map<number, JobKey>, eventSlots: Map<string, Map<number, JobKey>>): SlotStore => {
  const checkSlot = (slot: number) => {
    if (!Number.isSafeInteger(slot) || slot < 0) throw new ValidationError('slot', 'must be a non-negative integer');
  };
  const same = (a: JobKey, b: JobKey) => a.tenant === b.tenant && a.jobId === b.jobId;
  const poolKey = (p: SlotPool) => `${part('tenant', p.tenant)}#${part('eventId', p.eventId)}`;
  const poolOf = (pool: SlotPool | undefined): Map<number, JobKey> => {
    if (!pool) return slots;
    const k = poolKey(pool);
    const found = eventSlots.get(k) ?? new Map<number, JobKey>();
    eventSlots.set(k, found);
    return found;
  };
  // Global slots marked `waiters`.
  const waiters = new Set<number>();
  const list = (m: Map<number, JobKey>) =>
    [...m.entries()]
      .sort(([a], [b]) => a - b)
      .map(([slot, holder]) => ({ slot, holder: copy(holder), ...(m === slots && waiters.has(slot) ? { waiters: true as const } : {}) }));
  return {
    async acquire(slot, holder, pool, opts = {}) {
      checkSlot(slot);
      const m = poolOf(pool);
      const current = m.get(slot);
      if (current && !same(current, holder)) return false;
      m.set(slot, { tenant: holder.tenant, jobId: holder.jobId });
      if (!pool && opts.waiters) waiters.add(slot);
      return true;
    },
    async release(slot, holder, pool) {
      checkSlot(slot);
      const m = poolOf(pool);
      const current = m.get(slot);
      if (!current || !same(current, holder)) return false;
      m.delete(slot);
      const marked = !pool && waiters.has(slot);
      if (!pool) waiters.delete(slot);
      return marked;
    },
    async markWaiters(slot, holder) {
      const current = slots.get(slot);
      if (!current || !same(current, holder)) return false;
      waiters.add(slot);
      return true;
    },
    async held(pool) {
      return list(poolOf(pool));
    },
    async heldByEvents() {
      return [...eventSlots.entries()].flatMap(([k, m]) => {
        const [tenant = '', eventId = ''] = k.split('#');
        return list(m).map((h) => ({ pool: { tenant, eventId }, ...h }));
      });
    },
  };
};

/** A variable as the DynamoDB adapter stores it (the adapter's own rules), never shared with the caller. */
const storedVariable = (v: Variable): Variable => copy(asStoredVariable(v));

/** Variables by tenant, then key; `list` is in key order (code-unit order, as DynamoDB sorts ASCII keys). */
const createVariableStore = (variables: Map<string, Map<string, Variable>>, versions: Map<string, number>): VariableStore => ({
  async put(variable) {
    const stored = storedVariable(variable);
    const tenant = part('tenant', variable.tenant);
    const key = part('key', variable.key);
    const ofTenant = variables.get(tenant) ?? new Map<string, Variable>();
    ofTenant.set(key, stored);
    variables.set(tenant, ofTenant);
    versions.set(tenant, (versions.get(tenant) ?? 0) + 1);
  },
  async get(tenant, key) {
    const [t, k] = [part('tenant', tenant), part('key', key)];
    const v = variables.get(t)?.get(k);
    return v ? copy(v) : undefined;
  },
  async list(tenant) {
    const ofTenant = variables.get(part('tenant', tenant));
    return [...(ofTenant?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => copy(v));
  },
  async delete(tenant, key) {
    const [t, k] = [part('tenant', tenant), part('key', key)];
    const deleted = variables.get(t)?.delete(k) ?? false;
    if (deleted) versions.set(t, (versions.get(t) ?? 0) + 1);
    return deleted;
  },
});

/** Servers by tenant, then id. */
const createServerStore = (servers: Map<string, Map<string, Server>>): ServerStore => ({
  async put(server) {
    const ofTenant = servers.get(part('tenant', server.tenant)) ?? new Map<string, Server>();
    ofTenant.set(part('serverId', server.id), copy(server));
    servers.set(server.tenant, ofTenant);
  },
  async get(tenant, id) {
    const s = servers.get(part('tenant', tenant))?.get(part('serverId', id));
    return s ? copy(s) : undefined;
  },
  async list(tenant) {
    return [...(servers.get(part('tenant', tenant))?.values() ?? [])].map((s) => copy(s));
  },
  async delete(tenant, id) {
    return servers.get(part('tenant', tenant))?.delete(part('serverId', id)) ?? false;
  },
  async pinHostKey(tenant, id, fingerprint, trustedAt) {
    const s = servers.get(part('tenant', tenant))?.get(part('serverId', id));
    if (!s || s.hostKeyFingerprint) return false;
    servers.get(part('tenant', tenant))!.set(part('serverId', id), { ...s, hostKeyFingerprint: fingerprint, hostKeyTrustedAt: trustedAt });
    return true;
  },
});

/**
 * The Store port in memory, with the semantics of the DynamoDB adapter: conditional creates and
 * transitions (ConflictError), newest-first listings with opaque cursors (ValidationError('cursor')),
 * tenant-scoped keys, log batches keyed by their first seq, a send lease per job's subscriptions, slots, and
 * variables (a secret as ciphertext only, a plain value through JSON).
 * Every read returns a copy, so callers can never change what is stored.
 * TTLs are not modelled: nothing here expires.
 */
export const createMemoryStore = (): MemoryStore => {
  const jobs = new Map<string, Job>();
  const events = new Map<string, EventDef>();
  const logs = new Map<string, Map<number, StoredBatch>>();
  const apiKeys = new Map<string, ApiKeyRecord>();
  const connections = new Map<string, Connection>();
  const subscriptions = new Map<string, StoredSubscription>();
  const slots = new Map<number, JobKey>();
  const eventSlots = new Map<string, Map<number, JobKey>>();
  const variables = new Map<string, Map<string, Variable>>();
  const variablesVersions = new Map<string, number>();
  const servers = new Map<string, Map<string, Server>>();
  const schedules = createMemoryScheduleStore();

  return {
    jobs: createJobStore(jobs),
    events: createEventStore(events),
    logs: createLogStore(logs),
    apiKeys: createApiKeyStore(apiKeys),
    connections: createConnectionStore(connections, subscriptions),
    slots: createSlotStore(slots, eventSlots),
    queued: createQueuedCountStore(new Map(), variablesVersions),
    variables: createVariableStore(variables, variablesVersions),
    servers: createServerStore(servers),
    schedules,
    stats: createMemoryStatsStore(),
    workflows: createMemoryWorkflowStore(),
    snapshot: () =>
      copy({
        jobs: [...jobs.values()],
        events: [...events.values()],
        logBatches: [...logs.values()].flatMap((m) => [...m.values()].map(({ key, batch }) => ({ key, batch }))),
        apiKeys: [...apiKeys.values()],
        connections: [...connections.values()],
        subscriptions: [...subscriptions.values()].map((s) => s.sub),
        slots: [...slots.entries()].map(([slot, holder]) => ({ slot, holder })),
        variables: [...variables.values()].flatMap((m) => [...m.values()]),
      }),
  };
};
