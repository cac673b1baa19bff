import type { ApiClient } from './apiClient';
import type { LineSequencer } from './lineSequencer';

/** Options of {@link drainLogs}. */
export interface DrainOptions {
  /** Stop once this seq has been emitted; otherwise read until an empty page. */
  until?: number;
  signal?: AbortSignal;
  pageSize?: number;
}

/**
 * Pages through `GET /jobs/{id}/logs` from the sequencer's last seq and feeds
 * every stored line to it, until caught up (an empty page) or past `until`.
 *
 * @throws ApiError, UnreachableError from the REST calls.
 */
export const drainLogs = async (api: ApiClient, jobId: string, seq: LineSequencer, o: DrainOptions = {}): Promise<void> => {
  while (o.until === undefined || seq.last < o.until) {
    const before = seq.last;
    const page = await api.getLogs(jobId, before, o.pageSize, { signal: o.signal });
    for (const line of page.items) seq.accept(line);
    // An empty page means caught up; no progress means a server ignoring `after`, which must not loop forever.
    if (page.items.length === 0 || seq.last === before) return;
  }
};
