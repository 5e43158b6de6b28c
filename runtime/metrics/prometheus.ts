import { RENDER_SECONDS_BUCKETS, type ISRMetricsSnapshot } from './metric-counters.js';

/** The part of a prom-client `Registry` ng-isr uses (prom-client 13 and later). */
export interface PrometheusRegistryLike {
  registerMetric(metric: never): void;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** One sample as prom-client's `get()` returns it. */
interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** A metric in the shape prom-client's registry renders (`get()` like its own metric classes). */
interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' }>;
  reset(): void;
}

function metric(name: string, help: string, type: CollectedMetric['type'], samples: () => Sample[]): CollectedMetric {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, values: samples(), aggregator: 'sum' }),
    // The numbers belong to the handler; a registry reset does not clear them.
    reset: () => undefined,
  };
}

function byLabel(label: string, counts: Record<string, number>): Sample[] {
  return Object.entries(counts).map(([value, count]) => ({ value: count, labels: { [label]: value } }));
}

/**
 * The handler's metrics as prom-client metrics that read a fresh snapshot on every scrape: the
 * request path only increments numbers, prom-client formats them.
 */
export function prometheusMetrics(snapshot: () => ISRMetricsSnapshot, prefix: string): CollectedMetric[] {
  const name = (suffix: string): string => `${prefix}${suffix}`;
  const renderSamples = (): Sample[] =>
    Object.entries(snapshot().renders).flatMap(([cause, histogram]): Sample[] => [
      ...RENDER_SECONDS_BUCKETS.map((le, i) => ({
        metricName: name('render_duration_seconds_bucket'),
        value: histogram.buckets[i],
        labels: { le, cause },
      })),
      { metricName: name('render_duration_seconds_bucket'), value: histogram.count, labels: { le: '+Inf', cause } },
      { metricName: name('render_duration_seconds_sum'), value: histogram.sumSeconds, labels: { cause } },
      { metricName: name('render_duration_seconds_count'), value: histogram.count, labels: { cause } },
    ]);
  const cacheGauge = (field: 'entries' | 'bytes') => (): Sample[] => {
    const stats = snapshot().cache;
    return stats === undefined ? [] : [{ value: stats[field], labels: {} }];
  };
  return [
    metric(name('answers_total'), 'Page answers by x-isr-cache status', 'counter', () => byLabel('cache', snapshot().answers)),
    metric(name('renders_total'), 'Engine renders by cause', 'counter', () =>
      Object.entries(snapshot().renders).map(([cause, histogram]) => ({ value: histogram.count, labels: { cause } })),
    ),
    metric(name('render_duration_seconds'), 'Engine render duration by cause', 'histogram', renderSamples),
    metric(name('regeneration_failures_total'), 'Failed regenerations (the last good page stays)', 'counter', () =>
      byLabel('cause', snapshot().regenerationFailures),
    ),
    metric(name('cache_errors_total'), 'Cache tier failures by operation', 'counter', () => byLabel('operation', snapshot().cacheErrors)),
    metric(name('stores_total'), 'Rendered pages written to the cache', 'counter', () => [{ value: snapshot().stores, labels: {} }]),
    metric(name('store_skips_total'), 'Rendered pages not stored (not cacheable)', 'counter', () => [
      { value: snapshot().storeSkips, labels: {} },
    ]),
    metric(name('invalidations_total'), 'URLs of invalidate answers by outcome', 'counter', () =>
      byLabel('outcome', snapshot().invalidations),
    ),
    metric(name('purges_total'), 'CDN purger runs by provider and outcome', 'counter', () =>
      Object.entries(snapshot().purges).flatMap(([provider, counts]) => [
        { value: counts.ok, labels: { provider, outcome: 'ok' } },
        { value: counts.failed, labels: { provider, outcome: 'failed' } },
      ]),
    ),
    metric(name('cache_entries'), 'Pages held by the cache tier (tiers with stats())', 'gauge', cacheGauge('entries')),
    metric(name('cache_bytes'), 'Bytes held by the cache tier (tiers with stats())', 'gauge', cacheGauge('bytes')),
  ];
}

/** prom-client's exports that ng-isr uses. */
interface PromClientModule {
  Registry: new () => PrometheusRegistryLike;
  register: PrometheusRegistryLike;
}

/** Loads the optional `prom-client` package (only when Prometheus export is used). */
export async function loadPromClient(): Promise<PromClientModule> {
  // A non-literal specifier: bundlers leave it alone, so apps without metrics need not install it.
  const moduleName = 'prom-client';
  let loaded: Partial<PromClientModule> & { default?: Partial<PromClientModule> };
  try {
    loaded = (await import(/* @vite-ignore */ moduleName)) as typeof loaded;
  } catch {
    throw new Error("Prometheus metrics need the 'prom-client' package: npm install prom-client");
  }
  const Registry = loaded.Registry ?? loaded.default?.Registry;
  const register = loaded.register ?? loaded.default?.register;
  if (typeof Registry !== 'function' || register === undefined) {
    throw new Error("the 'prom-client' package has no Registry (prom-client 13 or later is needed)");
  }
  return { Registry, register };
}
