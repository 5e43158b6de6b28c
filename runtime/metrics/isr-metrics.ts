import type { ServerResponse } from 'node:http';
import type { ISRRequest } from '../http/request-info.js';
import { errorMessage } from '../utils/logger.js';
import { MetricCounters } from './metric-counters.js';
import { loadPromClient, prometheusMetrics, type PrometheusRegistryLike } from './prometheus.js';

/** Default prefix of the Prometheus metric names. */
export const DEFAULT_METRICS_PREFIX = 'ng_isr_';

/**
 * `isr.metrics`: answers by cache status, renders by cause with durations, regeneration and
 * cache failures, invalidations, purges and what the tier holds. Read them as plain numbers
 * (`snapshot()`) or through prom-client (`registerPrometheus()`, `isr.metricsHandler`).
 */
export class ISRMetrics extends MetricCounters {
  private registered: Promise<PrometheusRegistryLike> | undefined;

  /**
   * Registers the metrics (names prefixed `ng_isr_`) in a prom-client registry: the one given
   * (e.g. prom-client's default `register`, next to your own metrics) or a new one. Loads
   * `prom-client` on first use. Registering a second time returns the first registry.
   */
  registerPrometheus(registry?: PrometheusRegistryLike, prefix = DEFAULT_METRICS_PREFIX): Promise<PrometheusRegistryLike> {
    this.registered ??= (async () => {
      const target = registry ?? new (await loadPromClient()).Registry();
      for (const metric of prometheusMetrics(() => this.snapshot(), prefix)) {
        target.registerMetric(metric as never);
      }
      return target;
    })();
    // A failed load (prom-client missing) may be retried after installing it.
    this.registered.catch(() => (this.registered = undefined));
    return this.registered;
  }

  /**
   * Express handler answering the Prometheus text format (`app.get('/metrics', isr.metricsHandler)`),
   * from the registry given to `registerPrometheus`, else a registry of its own. Mount it where
   * only your scraper can reach it. Answers 500 with a one-line reason when prom-client is missing.
   */
  readonly handler = async (_req: ISRRequest, res: ServerResponse): Promise<void> => {
    let body: string;
    let contentType: string;
    try {
      const registry = await this.registerPrometheus();
      body = await registry.metrics();
      contentType = registry.contentType;
    } catch (error) {
      body = `metrics unavailable: ${errorMessage(error)}\n`;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}
