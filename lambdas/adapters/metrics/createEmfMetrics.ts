import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricLabels, MetricName, Metrics } from '../../core';
import { MetricCatalog } from '../../core';

/** CloudWatch namespace of every Cronium figure (the dashboard reads it). */
export const METRICS_NAMESPACE = 'Cronium';

/**
 * Powertools Metrics (CloudWatch Embedded Metric Format) behind the Metrics port: each figure is
 * one EMF line on stdout at once (a Lambda may be frozen as soon as it returns), its labels as
 * dimensions. `member` gauges are left out: one Lambda sees only the jobs it handled, so a per-process
 * count means nothing on AWS.
 */
export const createEmfMetrics = (o: { namespace?: string; serviceName?: string; emitter?: PowertoolsMetrics } = {}): Metrics => {
  const powertools =
    o.emitter ?? new PowertoolsMetrics({ namespace: o.namespace ?? METRICS_NAMESPACE, serviceName: o.serviceName ?? 'cronium' });

  const emit = (name: MetricName, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, labels: MetricLabels = {}) => {
    const single = powertools.singleMetric();
    for (const label of MetricCatalog[name].labels as readonly string[]) {
      const v = labels[label];
      // CloudWatch refuses an empty dimension value.
      if (v) single.addDimension(label, v.slice(0, 64));
    }
    single.addMetric(name, unit, value);
  };

  return {
    count: (name, labels, by = 1) => emit(name, MetricUnit.Count, by, labels),
    observe: (name, value, labels) => emit(name, MetricUnit.Seconds, value, labels),
    set: (name, value, labels) => emit(name, MetricUnit.Count, value, labels),
    member() {},
  };
};
