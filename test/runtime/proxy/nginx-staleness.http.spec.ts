import type { ISRRenderRequest, RenderedPage } from '../../../runtime/engine/isr-engine.js';
import { renderNumber, TestEngine } from '../support/test-engine.js';
import { startApp, type IntegrityApp } from '../integrity/support/integrity-app.js';
import { startNginx, type TestNginx } from './support/nginx.js';

/**
 * #18 section 0: pages must not freeze in a shared cache. A real nginx `proxy_cache` (honouring
 * Cache-Control, stale-while-revalidate with background updates, conditional revalidation) sits in
 * front of Express + ISRHandler; the engine stamps a render counter into the page and the time of
 * each render is recorded, so the age of the content every visitor gets can be measured.
 */

/** The test engine, remembering when each render happened. */
class StampingEngine extends TestEngine {
  readonly renderedAt: number[] = [];
  override async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
    const page = await super.render(request);
    if (page) {
      this.renderedAt[renderNumber(page.body.toString())] = Date.now();
    }
    return page;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('staleness behind a real nginx proxy_cache', () => {
  let app: IntegrityApp;
  let nginx: TestNginx;
  let engine: StampingEngine;

  beforeEach(async () => {
    engine = new StampingEngine().route('/r2', { revalidate: 2 }).route('/r0', { revalidate: 0 });
    app = await startApp({ engine });
    nginx = await startNginx(app.port);
  });

  afterEach(async () => {
    await nginx?.stop();
    await app?.close();
  });

  /** One visit through the proxy: the render number served and how old that content is (ms). */
  async function visit(path: string): Promise<{ n: number; ageMs: number; proxy: string | null }> {
    const response = await fetch(nginx.base + path);
    const n = renderNumber(await response.text());
    return { n, ageMs: Date.now() - engine.renderedAt[n], proxy: response.headers.get('x-proxy-cache') };
  }

  async function invalidate(path: string): Promise<void> {
    const response = await fetch(`${app.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify({ urlsToInvalidate: [path] }),
    });
    expect(response.status).toBe(200);
  }

  it('sparse traffic (one visit every 3 s, revalidate: 2): the content age stays bounded', async () => {
    const visits = [];
    for (let i = 0; i < 6; i++) {
      visits.push(await visit('/r2'));
      await sleep(3_000);
    }
    // Without a bound the proxy keeps serving render #1 (its refetches get answers it may not store).
    const served = visits.map((v) => v.n);
    expect(new Set(served).size).toBeGreaterThanOrEqual(4);
    // About twice revalidate plus the gap between visits (ng-isr itself serves a stale page once).
    const worst = Math.max(...visits.map((v) => v.ageMs));
    expect(worst).toBeLessThanOrEqual(2 * 2_000 + 3_000 + 2_000);
  }, 40_000);

  it('busy traffic (a visit every 200 ms, revalidate: 2): the content age stays within about twice revalidate', async () => {
    const visits = [];
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      visits.push(await visit('/r2'));
      await sleep(200);
    }
    // Twice revalidate, plus one second for a STALE answer's s-maxage=1 and one for nginx's
    // whole-second clock.
    const worst = Math.max(...visits.map((v) => v.ageMs));
    expect(worst).toBeLessThanOrEqual(2 * 2_000 + 2_000);
    // The proxy answered most visits itself: it shares the page.
    expect(visits.filter((v) => v.proxy === 'HIT' || v.proxy === 'STALE' || v.proxy === 'UPDATING').length).toBeGreaterThan(
      visits.length / 2,
    );
    // Bounded origin work: about one regeneration per revalidate period.
    expect(engine.renders('/r2')).toBeLessThanOrEqual(8 / 2 + 2);
  }, 30_000);

  it('after an invalidation (revalidate: 2) the new page reaches visitors within about twice revalidate', async () => {
    expect((await visit('/r2')).n).toBe(1);
    await invalidate('/r2');
    const invalidatedAt = Date.now();
    let seen = 1;
    while (seen < 2 && Date.now() - invalidatedAt < 10_000) {
      await sleep(250);
      seen = (await visit('/r2')).n;
    }
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(Date.now() - invalidatedAt).toBeLessThanOrEqual(2 * 2_000 + 2_000);
  }, 20_000);

  it('revalidate: 0 pages are not shared by the proxy: an invalidation shows at once', async () => {
    const before = [await visit('/r0'), await visit('/r0')];
    expect(before.map((v) => v.n)).toEqual([1, 1]);
    expect(before.every((v) => v.proxy !== 'HIT')).toBe(true);
    await invalidate('/r0');
    expect((await visit('/r0')).n).toBe(2);
  }, 20_000);
});
