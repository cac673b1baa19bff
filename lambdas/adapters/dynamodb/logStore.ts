import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '../../core';
import type { JobKey, LogBatch, LogLine, LogStore, LogTail } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { compact, type Item } from './items';
import { Keys, LOG_SK_MAX, LOG_SK_MIN, padSeq, LOG_PREFIX } from './keys';

/** A stored batch: the lines plus what `tail` and `read` need without unpacking them. */
interface BatchItem {
  firstSeq: number;
  lastSeq: number;
  lines: LogLine[];
  totalBytes: number;
  resumeToken?: string;
  expiresAt: number;
}

/** Batches fetched per Query while reading forward. */
const READ_PAGE_BATCHES = 25;

/**
 * The LogStore: one item per batch at `T#<tenant>#JOB#<id>` / `LOG#<firstSeq, 12 digits>`, so a
 * job's batches sort by sequence. Every batch expires after `ttlSeconds`; reads skip expired
 * batches themselves because TTL deletion runs late (and not at all in dynalite).
 */
export const createDynamoLogStore = (ctx: TableContext & { ttlSeconds: number }): LogStore => {
  const { client, tableName, ttlSeconds } = ctx;
  const nowSeconds = () => Math.floor(ctx.now() / 1000);

  /** One Query of a job's log batches whose sort keys lie in [from, to]. */
  const queryBatches = (key: JobKey, from: string, to: string, o: { forward: boolean; limit: number; startKey?: Item }) => {
    const e = new Expr();
    const pk = Keys.job(key.tenant, key.jobId).pk;
    return call('Query', () =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: `${e.name('pk')} = ${e.value(pk)} AND ${e.name('sk')} BETWEEN ${e.value(from)} AND ${e.value(to)}`,
          ScanIndexForward: o.forward,
          Limit: o.limit,
          ExclusiveStartKey: o.startKey,
          ConsistentRead: true,
          ...e.params(),
        }),
      ),
    );
  };

  return {
    async append(key, batch: LogBatch) {
      const first = batch.lines[0];
      const last = batch.lines.at(-1);
      if (!first || !last) throw new ValidationError('lines', 'a batch needs at least one line');
      if (batch.lines.some((l, i) => l.seq !== first.seq + i))
        throw new ValidationError('lines', 'seq must increase by one from line to line');
      const item: BatchItem = {
        firstSeq: first.seq,
        lastSeq: last.seq,
        lines: batch.lines,
        totalBytes: batch.totalBytes,
        resumeToken: batch.resumeToken,
        expiresAt: nowSeconds() + ttlSeconds,
      };
      await call(
        'PutItem',
        () =>
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: compact({ ...Keys.logBatch(key.tenant, key.jobId, first.seq), ...item }),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        (cause) => {
          throw new ConflictError(`log batch at seq ${first.seq} of job ${key.jobId} already exists`, { cause });
        },
      );
    },

    async read(key, afterSeq, limit) {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('limit', 'must be a positive integer');
      padSeq(afterSeq, 'afterSeq');
      const now = nowSeconds();
      const out: LogLine[] = [];
      const take = (item: Item) => {
        const batch = item as unknown as BatchItem;
        if (batch.expiresAt < now) return;
        for (const line of batch.lines) {
          if (out.length >= limit) return;
          if (line.seq > afterSeq) out.push(line);
        }
      };

      // Batches start at arbitrary seqs: the one holding afterSeq+1 is the last that starts at or before it.
      const containing = await queryBatches(key, LOG_SK_MIN, `${LOG_PREFIX}${padSeq(afterSeq + 1, 'afterSeq')}`, {
        forward: false,
        limit: 1,
      });
      containing.Items?.forEach(take);

      // Every later batch starts at afterSeq+2 or beyond.
      let startKey: Item | undefined;
      const from = `${LOG_PREFIX}${padSeq(afterSeq + 2, 'afterSeq')}`;
      while (out.length < limit) {
        const res = await queryBatches(key, from, LOG_SK_MAX, { forward: true, limit: READ_PAGE_BATCHES, startKey });
        res.Items?.forEach(take);
        startKey = res.LastEvaluatedKey;
        if (!startKey) break;
      }
      return out;
    },

    async tail(key) {
      // The writer resumes from here, so an expired but not yet deleted batch still counts:
      // forgetting it would make the next append reuse its seq and conflict.
      const res = await queryBatches(key, LOG_SK_MIN, LOG_SK_MAX, { forward: false, limit: 1 });
      const last = res.Items?.[0] as BatchItem | undefined;
      if (!last) return { lastSeq: 0, totalBytes: 0 };
      const tail: LogTail = { lastSeq: last.lastSeq, totalBytes: last.totalBytes };
      if (last.resumeToken !== undefined) tail.resumeToken = last.resumeToken;
      const attempt = last.lines.at(-1)?.attempt;
      if (attempt !== undefined) tail.attempt = attempt;
      return tail;
    },
  };
};
