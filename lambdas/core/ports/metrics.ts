/**
 * Every figure Cronium exports, with the only labels each may carry. Label values are bounded sets
 * (runtimes, target kinds, statuses, error codes, route templates, server names): never a job id,
 * a raw path or a tenant, so the number of series stays bounded whatever the traffic.
 */
export const MetricCatalog = {
  cronium_jobs_received_total: { kind: 'counter', help: 'Jobs submitted', labels: ['runtime', 'target'] },
  cronium_jobs_started_total: { kind: 'counter', help: 'Jobs that started running', labels: ['runtime', 'target'] },
  cronium_jobs_completed_total: { kind: 'counter', help: 'Jobs that completed', labels: ['runtime', 'target'] },
  cronium_jobs_failed_total: {
    kind: 'counter',
    help: 'Jobs that ended failed or timeout, by error code',
    labels: ['runtime', 'target', 'code'],
  },
  cronium_jobs_cancelled_total: { kind: 'counter', help: 'Jobs cancelled', labels: ['runtime', 'target'] },
  cronium_jobs_retried_total: { kind: 'counter', help: 'Jobs queued again after an attempt', labels: ['runtime', 'target'] },
  cronium_job_duration_seconds: {
    kind: 'histogram',
    help: 'Run time of ended jobs, start to end',
    labels: ['runtime', 'target', 'status'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  },
  cronium_job_queue_wait_seconds: {
    kind: 'histogram',
    help: 'Time from submission to start',
    labels: ['runtime', 'target'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  },
  cronium_jobs_active: { kind: 'gauge', help: 'Jobs claimed or running (seen by this process)', labels: [] },
  cronium_jobs_waiting: { kind: 'gauge', help: 'Jobs queued (seen by this process)', labels: [] },
  cronium_api_requests_total: { kind: 'counter', help: 'REST requests by route template', labels: ['method', 'route', 'status'] },
  cronium_api_request_duration_seconds: {
    kind: 'histogram',
    help: 'REST request latency by route template',
    labels: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  },
  cronium_ws_connections: { kind: 'gauge', help: 'Open WebSocket connections', labels: [] },
  cronium_ws_messages_pushed_total: { kind: 'counter', help: 'WebSocket pushes by outcome', labels: ['outcome'] },
  cronium_schedule_fires_total: { kind: 'counter', help: 'Jobs started by a schedule fire', labels: ['runtime'] },
  cronium_schedule_lag_seconds: {
    kind: 'histogram',
    help: 'Time from a fire time to its job starting',
    labels: ['runtime'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  },
  cronium_ssh_connections: { kind: 'gauge', help: 'Pooled SSH connections per server', labels: ['server'] },
  cronium_ssh_sessions: { kind: 'gauge', help: 'Running SSH sessions per server', labels: ['server'] },
  cronium_ssh_circuit_open: { kind: 'gauge', help: '1 while the circuit of a server is open', labels: ['server'] },
} as const satisfies Record<string, MetricDefinition>;

/** One figure of {@link MetricCatalog}. */
export interface MetricDefinition {
  kind: 'counter' | 'histogram' | 'gauge';
  help: string;
  labels: readonly string[];
  /** Histogram bucket bounds, in the metric's unit. */
  buckets?: readonly number[];
}

export type MetricName = keyof typeof MetricCatalog;
type NamesOf<K> = { [N in MetricName]: (typeof MetricCatalog)[N]['kind'] extends K ? N : never }[MetricName];
export type CounterName = NamesOf<'counter'>;
export type HistogramName = NamesOf<'histogram'>;
export type GaugeName = NamesOf<'gauge'>;
/** Label values by label name; a label the catalog does not list for the metric is dropped. */
export type MetricLabels = Record<string, string>;

/** Where the core's figures go: prom-client on one machine, CloudWatch EMF on AWS. */
export interface Metrics {
  count(name: CounterName, labels?: MetricLabels, by?: number): void;
  observe(name: HistogramName, value: number, labels?: MetricLabels): void;
  set(name: GaugeName, value: number, labels?: MetricLabels): void;
  /**
   * Counts ids currently in a state: the gauge is how many ids are members. Idempotent, so a
   * repeated or unknown removal never drives it below zero.
   */
  member(name: GaugeName, id: string, present: boolean): void;
}

export const noMetrics: Metrics = { count() {}, observe() {}, set() {}, member() {} };
