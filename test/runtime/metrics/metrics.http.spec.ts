import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ISRHandler } from '../../../runtime/isr-handler.js';
import { MemoryCacheHandler } from '../../../runtime/cache/memory-cache-handler.js';
import type { ISREvent } from '../../../runtime/render/isr-events.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { TestEngine } from '../support/test-engine.js';
import { parsePrometheusText } from './prometheus-text.js';

const TOKEN = 's3cret';

/** Express app with the ISR catch-all, the invalidate route and the metrics route. */
async function start(engine: TestEngine, onEvent?: (event: ISREvent) => void) {
  const cache = new MemoryCacheHandler();
  const isr = new ISRHandler({ engine, cache, buildId: false, invalidateSecretToken: TOKEN, logger: new CapturingLogger(), onEvent });
  const app = express();
  app.get('/metrics', isr.metricsHandler);
  app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
  app.use(isr.handle);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    isr,
    cache,
    base,
    async close() {
      await isr.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('metrics over HTTP (real Express + ISRHandler + test engine)', () => {
  let app: Awaited<ReturnType<typeof start>>;
  afterEach(async () => {
    jest.restoreAllMocks();
    await app?.close();
  });

  it('serves valid Prometheus text whose counters match the requests made', async () => {
    const engine = new TestEngine()
      .route('/a', { revalidate: 60, tags: ['posts'] })
      .route('/b', { revalidate: 60 })
      .route('/plain', {})
      .route('/broken', { revalidate: 60 });
    const events: ISREvent[] = [];
    app = await start(engine, (event) => events.push(event));
    const get = async (path: string) => (await fetch(`${app.base}${path}`)).headers.get('x-isr-cache');

    expect(await get('/a')).toBe('MISS');
    expect(await get('/b')).toBe('MISS');
    expect(await get('/a')).toBe('HIT');
    expect(await get('/a')).toBe('HIT');
    expect(await get('/b')).toBe('HIT');
    expect(await get('/plain')).toBe('BYPASS');
    expect(await get('/plain')).toBe('BYPASS');
    // Past revalidate (clock moved explicitly): one STALE answer starts one regeneration.
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect(await get('/b')).toBe('STALE');
    jest.restoreAllMocks();
    await app.isr.idle();
    // The regeneration of /broken fails on invalidation: the last good page stays.
    expect(await get('/broken')).toBe('MISS');
    engine.route('/broken', { revalidate: 60, mode: 'throw' });
    const answer = await (
      await fetch(`${app.base}/api/invalidate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: TOKEN, urlsToInvalidate: ['/a', '/broken', '/nowhere'] }),
      })
    ).json();
    expect(answer.invalidated).toEqual(['/a']);
    expect(Object.keys(answer.failed)).toEqual(['/broken']);

    const response = await fetch(`${app.base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const metrics = parsePrometheusText(await response.text());

    expect(metrics.types.get('ng_isr_answers_total')).toBe('counter');
    expect(metrics.types.get('ng_isr_render_duration_seconds')).toBe('histogram');
    expect(metrics.value('ng_isr_answers_total', { cache: 'HIT' })).toBe(3);
    expect(metrics.value('ng_isr_answers_total', { cache: 'MISS' })).toBe(3);
    expect(metrics.value('ng_isr_answers_total', { cache: 'BYPASS' })).toBe(2);
    expect(metrics.value('ng_isr_answers_total', { cache: 'STALE' })).toBe(1);
    // The first /plain request renders as a miss (for the canonical origin) and proves the route
    // uncacheable, so that visitor's own request is rendered again (bypass); the second is a bypass render.
    expect(metrics.value('ng_isr_renders_total', { cause: 'miss' })).toBe(4);
    expect(metrics.value('ng_isr_renders_total', { cause: 'bypass' })).toBe(2);
    expect(metrics.value('ng_isr_renders_total', { cause: 'regenerate' })).toBe(1);
    // Renders that threw report no duration; the successful /a invalidation does.
    expect(metrics.value('ng_isr_renders_total', { cause: 'invalidate' })).toBe(1);
    expect(metrics.value('ng_isr_render_duration_seconds_count', { cause: 'miss' })).toBe(4);
    expect(metrics.value('ng_isr_render_duration_seconds_bucket', { cause: 'miss', le: '+Inf' })).toBe(4);
    expect(metrics.value('ng_isr_render_duration_seconds_bucket', { cause: 'miss', le: '30' })).toBe(4);
    expect(metrics.value('ng_isr_regeneration_failures_total', { cause: 'invalidate' })).toBe(1);
    expect(metrics.value('ng_isr_invalidations_total', { outcome: 'invalidated' })).toBe(1);
    expect(metrics.value('ng_isr_invalidations_total', { outcome: 'failed' })).toBe(1);
    expect(metrics.value('ng_isr_invalidations_total', { outcome: 'notInCache' })).toBe(1);
    expect(metrics.value('ng_isr_stores_total')).toBe(5);
    expect(metrics.value('ng_isr_cache_entries')).toBe(3);
    expect(metrics.value('ng_isr_cache_bytes')).toBe(app.cache.sizeInBytes);
    expect(metrics.value('ng_isr_cache_errors_total')).toBe(0);

    // The same numbers as plain data, and as events for the user's listener.
    const snapshot = app.isr.metrics.snapshot();
    expect(snapshot.answers).toEqual({ HIT: 3, STALE: 1, MISS: 3, BYPASS: 2 });
    expect(snapshot.cache).toEqual({ entries: 3, bytes: app.cache.sizeInBytes });
    expect(events.filter((event) => event.type === 'answer')).toHaveLength(9);
  });

  it('registers into a registry of the caller, next to its own metrics, once', async () => {
    app = await start(new TestEngine().route('/a', { revalidate: 60 }));
    const registry = new Registry();
    expect(await app.isr.metrics.registerPrometheus(registry)).toBe(registry);
    expect(await app.isr.metrics.registerPrometheus(new Registry())).toBe(registry);
    await fetch(`${app.base}/a`);
    await fetch(`${app.base}/a`);
    const metrics = parsePrometheusText(await registry.metrics());
    expect(metrics.value('ng_isr_answers_total', { cache: 'HIT' })).toBe(1);
    // The route serves the registry given to registerPrometheus.
    expect(parsePrometheusText(await (await fetch(`${app.base}/metrics`)).text()).value('ng_isr_answers_total', { cache: 'MISS' })).toBe(1);
  });

  it('counts cache tier failures by operation and leaves the cache gauges out for tiers without stats()', async () => {
    const engine = new TestEngine().route('/a', { revalidate: 60 });
    const cache = new MemoryCacheHandler();
    const failing = Object.assign(Object.create(cache) as MemoryCacheHandler, {
      get: async () => {
        throw new Error('tier down');
      },
      stats: undefined,
    });
    const isr = new ISRHandler({ engine, cache: failing, buildId: false, logger: false });
    const app2 = express().use(isr.handle);
    const server: Server = await new Promise((resolve) => {
      const s = app2.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // Reads fail, the page is still rendered once and answered (kept in-process while the tier is down).
      expect((await fetch(`${base}/a`)).headers.get('x-isr-cache')).toBe('MISS');
      const registry = await isr.metrics.registerPrometheus();
      const metrics = parsePrometheusText(await registry.metrics());
      expect(metrics.value('ng_isr_cache_errors_total', { operation: 'get' })).toBe(1);
      expect(metrics.value('ng_isr_answers_total', { cache: 'MISS' })).toBe(1);
      expect(metrics.samples.some((sample) => sample.name === 'ng_isr_cache_entries')).toBe(false);
    } finally {
      await isr.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
