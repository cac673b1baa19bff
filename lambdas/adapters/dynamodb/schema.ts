/**
 * The single table's key schema, shared by the adapter, the local runtime and the CDK stack
 * so the three cannot drift apart.
 */
export const TableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes late, so readers also filter on it. */
  ttl: 'expiresAt',
} as const;

/** Global secondary indexes: all project every attribute and have string keys. */
export const TableIndexes = {
  /** A tenant's jobs (and events), newest first: `T#<tenant>#JOBS` / `<createdAt>#<id>`. */
  byTenant: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** A tenant's jobs in one status: `T#<tenant>#JOBS#<status>` / `<createdAt>#<id>`. */
  byStatus: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** A tenant's jobs of one event: `T#<tenant>#EVENT#<eventId>#JOBS` / `<createdAt>#<id>`. */
  byEvent: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  /**
   * Sparse: non-terminal jobs of every tenant, `ACTIVE` / `<createdAt>#<tenant>#<id>`; a queued job
   * waiting for a slot is under `WAITING` instead, with the same sort key (oldest first). Enabled
   * schedules are under `SCHEDULES`, by next fire time: `<nextFireAt>#<tenant>#<id>`.
   */
  active: { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
} as const;

export type TableIndex = (typeof TableIndexes)[keyof typeof TableIndexes];
