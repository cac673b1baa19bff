import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GaugeName, MetricDefinition, MetricLabels, MetricName, Metrics } from '../../core';
import { MetricCatalog } from '../../core';

/** Longest label value kept; a longer one is cut (label values come from bounded sets anyway). */
const MAX_LABEL_CHARS = 64;

/** A Metrics port that also renders the Prometheus text format. */
export interface PromMetrics extends Metrics {
  /** The text of `GET /metrics`, after running every `beforeScrape` callback. */
  render(): Promise<string>;
  readonly contentType: string;
  /** How many series the registry holds (for the cardinality test). */
  seriesCount(): Promise<number>;
}

/**
 * prom-client behind the Metrics port, one registry per process: every figure of the catalog
 * registered up front with its labels, unknown labels dropped, so series stay bounded.
 * `beforeScrape` callbacks set gauges read at scrape time (the SSH pool).
 * @example
 * const metrics = createPromMetrics();
 * metrics.count('cronium_jobs_received_total', { runtime: 'bash', target: 'container' });
 * res.end(await metrics.render());
 */
export const createPromMetrics = (o: { processMetrics?: boolean; beforeScrape?: ((m: Metrics) => void)[] } = {}): PromMetrics => {
  const registry = new Registry();
  if (o.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'cronium_' });
  const entries = Object.entries(MetricCatalog) as [MetricName, MetricDefinition][];
  const instruments = new Map<string, Counter | Histogram | Gauge>();
  for (const [name, def] of entries) {
    const common = { name, help: def.help, labelNames: [...def.labels], registers: [registry] };
    instruments.set(
      name,
      def.kind === 'counter'
        ? new Counter(common)
        : def.kind === 'histogram'
          ? new Histogram({ ...common, buckets: [...(def.buckets ?? [])] })
          : new Gauge(common),
    );
  }
  const members = new Map<GaugeName, Set<string>>();

  const labelsOf = (name: MetricName, labels: MetricLabels = {}) => {
    const out: Record<string, string> = {};
    for (const label of MetricCatalog[name].labels as readonly string[]) out[label] = (labels[label] ?? '').slice(0, MAX_LABEL_CHARS);
    return out;
  };

  const metrics: Metrics = {
    count(name, labels, by = 1) {
      (instruments.get(name) as Counter).inc(labelsOf(name, labels), by);
    },
    observe(name, value, labels) {
      (instruments.get(name) as Histogram).observe(labelsOf(name, labels), value);
    },
    set(name, value, labels) {
      (instruments.get(name) as Gauge).set(labelsOf(name, labels), value);
    },
    member(name, id, present) {
      let set = members.get(name);
      if (!set) members.set(name, (set = new Set()));
      if (present) set.add(id);
      else set.delete(id);
      (instruments.get(name) as Gauge).set(set.size);
    },
  };

  return {
    ...metrics,
    contentType: registry.contentType,
    async render() {
      for (const before of o.beforeScrape ?? []) before(metrics);
      return registry.metrics();
    },
    async seriesCount() {
      const all = await registry.getMetricsAsJSON();
      return all.reduce((n, m) => n + m.values.length, 0);
    },
  };
};
