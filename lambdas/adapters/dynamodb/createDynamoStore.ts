import { createDynamoServerStore } from './serverStore';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../core';
import { createDynamoApiKeyStore } from './apiKeyStore';
import type { TableContext } from './call';
import { createDynamoConnectionStore } from './connectionStore';
import { createDynamoEventStore } from './eventStore';
import { createDynamoJobStore } from './jobStore';
import { createDynamoLogStore } from './logStore';
import { createDynamoScheduleStore } from './scheduleStore';
import { createDynamoSlotStore } from './slotStore';
import { createDynamoQueuedCountStore } from './queuedCountStore';
import { createDynamoStatsStore } from './statsStore';
import { createDynamoVariableStore } from './variableStore';
import { createDynamoWorkflowStore } from './workflowStore';

/** Log batches are kept this long unless `logTtlSeconds` says otherwise. */
export const DEFAULT_LOG_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface DynamoStoreOptions {
  tableName: string;
  /** Build it with createDocumentClient (or any DocumentClient; the stores drop undefined values themselves). */
  client: DynamoDBDocumentClient;
  /** How long log batches live. @default 30 days */
  logTtlSeconds?: number;
  /** Epoch milliseconds, for TTLs and expiry checks. @default Date.now */
  clock?: () => number;
}

/**
 * Every store of the core over one DynamoDB table (see schema.ts for its keys and indexes).
 * Only single-item conditional writes are used: no transactions, streams or TTL deletion.
 * @example
 * const store = createDynamoStore({ tableName: 'cronium', client: createDocumentClient() });
 * await store.jobs.create(job);
 */
export function createDynamoStore(o: DynamoStoreOptions): Store {
  const ctx: TableContext = { client: o.client, tableName: o.tableName, now: o.clock ?? Date.now };
  return {
    jobs: createDynamoJobStore(ctx),
    events: createDynamoEventStore(ctx),
    logs: createDynamoLogStore({ ...ctx, ttlSeconds: o.logTtlSeconds ?? DEFAULT_LOG_TTL_SECONDS }),
    apiKeys: createDynamoApiKeyStore(ctx),
    connections: createDynamoConnectionStore(ctx),
    slots: createDynamoSlotStore(ctx),
    queued: createDynamoQueuedCountStore(ctx),
    variables: createDynamoVariableStore(ctx),
    servers: createDynamoServerStore(ctx),
    schedules: createDynamoScheduleStore(ctx),
    stats: createDynamoStatsStore(ctx),
    workflows: createDynamoWorkflowStore(ctx),
  };
}
