/** What the poller does with a batch after the handler returned. */
export type BatchOutcome = { kind: 'success' } | { kind: 'partial'; failedIds: ReadonlySet<string> } | { kind: 'failure'; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a handler's return value with Lambda's ReportBatchItemFailures rules: no response, no
 * `batchItemFailures` or an empty list is a full success; a list of known message ids is a partial
 * failure; anything malformed (an empty, missing or unknown `itemIdentifier`, a non-list) fails
 * the whole batch.
 */
export const interpretBatchResponse = (response: unknown, messageIds: readonly string[]): BatchOutcome => {
  if (response === undefined || response === null) return { kind: 'success' };
  // Lambda fails the batch on a response it cannot read; retrying is safer than deleting unseen work.
  if (!isRecord(response)) return { kind: 'failure', reason: 'response is not an object' };
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };

  const known = new Set(messageIds);
  const failedIds = new Set<string>();
  for (const item of failures) {
    const id: unknown = isRecord(item) ? item.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'failure', reason: 'an itemIdentifier is missing or empty' };
    }
    if (!known.has(id)) return { kind: 'failure', reason: `itemIdentifier ${id} is not in the batch` };
    failedIds.add(id);
  }
  return failedIds.size === 0 ? { kind: 'success' } : { kind: 'partial', failedIds };
};
