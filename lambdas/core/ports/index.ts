export type * from './stores';
export type * from './runtime';
export type * from './tools';
export type { Logger } from './logger';
export { silentLogger } from './logger';
export type { CronMatcher } from './cronMatcher';
export type { ComponentReport, HealthCheck, HealthDeps } from './health';
export type { CounterName, GaugeName, HistogramName, MetricDefinition, MetricLabels, MetricName, Metrics } from './metrics';
export { MetricCatalog, noMetrics } from './metrics';
