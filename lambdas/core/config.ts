import type { Resources } from './model';

/** Operator settings the core enforces; passed in by each composition root. */
export interface CoreConfig {
  /** Jobs claimed or running at once, across tenants. */
  maxConcurrent: number;
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  defaultResources: Resources;
  maxResources: Resources;
  /** Stored log bytes per job; the rest is dropped after a visible notice. */
  maxLogBytes: number;
  /** How long one sender may hold a WebSocket subscription before another may take over. */
  subscriptionLeaseMs: number;
  /** A `claimed` job older than this whose launch never finished is offered again. */
  staleClaimMs: number;
  /**
   * How long a process trusts a key it authenticated without reading the store again. A key revoked
   * through another process (another Lambda) keeps working at most this long there.
   */
  authCacheTtlMs: number;
  /**
   * A tick hands the queue every schedule fire due within this long (the job waits with a delay until
   * its time), and a fire less than this late still runs as on time; an older one was missed (catchUp).
   * Keep it above the tick period.
   */
  scheduleWindowMs: number;
  /** At most this many missed fires of one schedule run under `catchUp: all`: the most recent ones. */
  maxCatchUpFires: number;
  /** Jobs one tenant may have `queued` (waiting ones included); a submission beyond it is refused with 429. */
  maxQueuedPerTenant: number;
  /**
   * The longest an http or tool job may run where such jobs run inside a function with a time limit
   * (AWS: the runner Lambda's timeout less a margin). Unset on one machine, where nothing cuts them short.
   */
  runnerTimeoutSeconds?: number;
  /** False where no launcher can reach users' servers (AWS, until its SSH runner exists): ssh targets are refused. */
  sshTargets?: boolean;
}

export const defaultCoreConfig: CoreConfig = {
  maxConcurrent: 4,
  defaultTimeoutSeconds: 3600,
  maxTimeoutSeconds: 24 * 3600,
  defaultResources: { cpu: 0.5, memoryMb: 512, pids: 128, diskMb: 64 },
  maxResources: { cpu: 2, memoryMb: 4096, pids: 1024, diskMb: 1024 },
  maxLogBytes: 4 * 1024 * 1024,
  subscriptionLeaseMs: 30_000,
  staleClaimMs: 5 * 60_000,
  authCacheTtlMs: 30_000,
  scheduleWindowMs: 90_000,
  maxCatchUpFires: 10,
  maxQueuedPerTenant: 1000,
};
