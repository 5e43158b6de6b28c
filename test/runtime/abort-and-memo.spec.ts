import { createRenderContext } from '../../runtime/angular/isr-render-context.js';
import { MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';
import { angularAppEngineAdapter } from '../../runtime/engine/angular-app-engine-adapter.js';
import { CacheAccess } from '../../runtime/render/cache-access.js';
import { OutageCopy } from '../../runtime/render/outage-copy.js';
import { RenderBudget } from '../../runtime/render/render-budget.js';
import { Renderer } from '../../runtime/render/renderer.js';
import { PageStore, UNCACHEABLE_MEMO_BYTES } from '../../runtime/render/store.js';
import { silentLogger } from '../../runtime/utils/logger.js';
import { TestEngine } from './support/test-engine.js';

describe('the abort signal reaches AngularNodeAppEngine', () => {
  it('on the web Request the adapter builds', async () => {
    const seen: Request[] = [];
    const adapter = angularAppEngineAdapter({
      handle: async (request) => {
        seen.push(request as Request);
        return new Response('<html></html>', { headers: { 'content-type': 'text/html' } });
      },
    });
    const controller = new AbortController();
    const request = { url: 'http://localhost/a', headers: {}, baseUrl: '', context: createRenderContext(), signal: controller.signal };
    await adapter.render(request);
    expect(seen[0].signal.aborted).toBe(false);
    controller.abort(new Error('render timed out'));
    expect(seen[0].signal.aborted).toBe(true);
  });
});

describe('the "route has no revalidate" memo', () => {
  it('is bounded by bytes, not by count, whatever the URL length', async () => {
    const engine = new TestEngine();
    const access = new CacheAccess(new MemoryCacheHandler(), undefined, silentLogger, () => undefined);
    const renderer = new Renderer(engine, 1_000, new RenderBudget(8, 0, 1_000), () => undefined);
    const settings = { buildId: undefined, compress: false, now: Date.now };
    const store = new PageStore(renderer, access, settings, new OutageCopy(0), silentLogger, () => undefined);
    const longPath = (i: number) => `/${i}-${'x'.repeat(4_000)}`;
    for (let i = 0; i < 600; i++) {
      engine.route(longPath(i), {});
      await store.renderAndStore(longPath(i), { url: `http://localhost${longPath(i)}`, headers: {}, baseUrl: '' }, 'miss');
    }
    // About 8 KiB per 4,000-character key: far fewer than the 600 seen.
    expect(store.knownUncacheableCount).toBeLessThanOrEqual(Math.floor(UNCACHEABLE_MEMO_BYTES / 8_000));
    expect(store.knownUncacheableCount).toBeGreaterThan(0);
    expect(store.knownUncacheable(longPath(599))).toBe('route has no revalidate');
    expect(store.knownUncacheable(longPath(0))).toBeUndefined();
  });
});
