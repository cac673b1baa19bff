export { createPromMetrics } from './createPromMetrics';
export type { PromMetrics } from './createPromMetrics';
export { createEmfMetrics, METRICS_NAMESPACE } from './createEmfMetrics';
