import type { ISRRenderRequest, RenderedPage } from '../../../runtime/engine/isr-engine.js';
import { ISRHandler } from '../../../runtime/isr-handler.js';
import { renderNumber, TestEngine } from '../support/test-engine.js';
import { startServer, type TestServer } from '../support/test-server.js';

/** The test engine, with what the render saw of the request written into the page. */
class EchoEngine extends TestEngine {
  override async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
    const page = await super.render(request);
    if (page === null) return page;
    const seen = `<!-- cookie=[${request.headers['cookie'] ?? ''}] device=[${request.headers['x-device'] ?? ''}] context=${JSON.stringify(request.context.variants)} -->`;
    return { ...page, body: Buffer.concat([page.body, Buffer.from(seen)]) };
  }
}

const VARIANTS = [
  { name: 'currency', cookie: 'currency', values: ['eur', 'gbp'] },
  { name: 'device', header: 'X-Device', values: ['mobile'] },
];

describe('cache variants over HTTP', () => {
  let server: TestServer;
  let engine: EchoEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(routeHeaders: Record<string, string> = {}, variants: unknown = VARIANTS) {
    engine = new EchoEngine();
    engine.route('/p', { revalidate: 60, tags: ['prices'], headers: routeHeaders });
    server = await startServer({ engine, invalidateSecretToken: 'secret', variants: variants as typeof VARIANTS });
  }

  async function get(headers: Record<string, string> = {}) {
    const response = await fetch(server.base + '/p', { headers });
    return {
      cache: response.headers.get('x-isr-cache'),
      cacheStatus: response.headers.get('cache-status'),
      vary: response.headers.get('vary'),
      body: await response.text(),
    };
  }

  it('stores one page per declared value, rendered with that value only, and bypasses any other value', async () => {
    await start();
    expect((await get()).cache).toBe('MISS');
    const eur = await get({ cookie: '_ga=GA1.2; currency=eur; theme=dark' });
    expect(eur.cache).toBe('MISS');
    // The render carried the variant's cookie and nothing else of the visitor.
    expect(eur.body).toContain('cookie=[currency=eur] device=[] context={"currency":"eur"}');
    expect(eur.vary).toMatch(/Cookie/);
    expect(eur.vary).toMatch(/X-Device/);
    expect((await get({ cookie: 'currency=eur' })).cache).toBe('HIT');
    const plain = await get({ cookie: '_ga=GA1.2' });
    expect([plain.cache, plain.body]).toEqual(['HIT', expect.stringContaining('cookie=[] device=[] context={}')]);

    const mobileGbp = await get({ cookie: 'currency=gbp', 'x-device': 'mobile' });
    expect(mobileGbp.body).toContain('cookie=[currency=gbp] device=[mobile] context={"currency":"gbp","device":"mobile"}');
    expect((await get({ cookie: 'currency=gbp', 'x-device': ' mobile ' })).cache).toBe('HIT');

    const usd = await get({ cookie: 'currency=usd' });
    expect(usd.cache).toBe('BYPASS');
    expect(usd.cacheStatus).toContain('detail="variant currency: value not in its values"');
    expect((await get({ cookie: 'currency=eur; currency=gbp' })).cache).toBe('BYPASS');
    expect((await get({ 'x-device': 'tablet' })).cache).toBe('BYPASS');
    expect(engine.renders('/p')).toBe(3 + 3);
    expect(await server.isr.cache.get('/p#currency=eur')).toBeDefined();
    expect(await server.isr.cache.get('/p#currency=gbp&device=mobile')).toBeDefined();
  });

  it('keeps credential cookies a bypass, and refuses a credential cookie as a variant', async () => {
    await start();
    expect((await get({ cookie: 'currency=eur; sessionid=abc' })).cache).toBe('BYPASS');
    expect((await get({ cookie: 'currency=eur', authorization: 'Bearer x' })).cache).toBe('BYPASS');
    const engineOnly = new TestEngine();
    const make = (variants: unknown) => () => new ISRHandler({ engine: engineOnly, logger: false, variants: variants as typeof VARIANTS });
    expect(make([{ name: 's', cookie: 'sessionid', values: ['a'] }])).toThrow(/counts as a credential/);
    expect(make([{ name: 's', cookie: '__Host-pref', values: ['a'] }])).toThrow(/counts as a credential/);
    expect(make([{ name: 'a', header: 'authorization', values: ['x'] }])).toThrow(/cannot select a variant/);
    expect(make([{ name: 'a', cookie: 'a', header: 'b', values: ['x'] }])).toThrow(/exactly one of "cookie" and "header"/);
    expect(make([{ name: 'a', cookie: 'a', values: [] }])).toThrow(/"values" must list/);
    expect(make([{ name: 'a', cookie: 'a', values: ['a b'] }])).toThrow(/each value must be/);
    const many = Array.from({ length: 20 }, (_, i) => `v${i}`);
    expect(
      make([
        { name: 'a', cookie: 'a', values: many },
        { name: 'b', cookie: 'b', values: many },
      ]),
    ).toThrow(/entries per URL/);
  });

  it('stores a page whose Vary names a covered cookie or header, and never one varying on anything else', async () => {
    await start({ vary: 'Cookie, X-Device' });
    await get({ cookie: 'currency=eur' });
    expect((await get({ cookie: 'currency=eur' })).cache).toBe('HIT');
    await server.close();
    await start({ vary: 'Accept-Language' });
    await get();
    expect((await get()).cache).toBe('BYPASS');
    await server.close();
    // Without variants a `Vary: Cookie` page stays uncacheable.
    await start({ vary: 'Cookie' }, []);
    await get();
    expect((await get()).cache).toBe('BYPASS');
  });

  it('invalidates every variant of a URL (and through tags), each rendered with its own value', async () => {
    await start();
    await get();
    await get({ cookie: 'currency=eur' });
    await get({ 'x-device': 'mobile' });
    const response = await fetch(server.base + '/api/invalidate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
      body: JSON.stringify({ urlsToInvalidate: ['/p', '/missing'] }),
    });
    expect(await response.json()).toEqual({
      invalidated: ['/p', '/p#currency=eur', '/p#device=mobile'],
      notInCache: ['/missing'],
      failed: {},
      removed: [],
      stale: [],
    });
    const eur = await get({ cookie: 'currency=eur' });
    expect([eur.cache, renderNumber(eur.body)]).toEqual(['HIT', 5]);
    expect(eur.body).toContain('cookie=[currency=eur] device=[]');
    expect((await get({ 'x-device': 'mobile' })).body).toContain('device=[mobile] context={"device":"mobile"}');

    const byTag = await server.isr.revalidateTag('prices');
    expect(byTag.invalidated.sort()).toEqual(['/p', '/p#currency=eur', '/p#device=mobile']);
    expect((await get({ cookie: 'currency=eur' })).body).toContain('cookie=[currency=eur]');
    // Every render of a stored page got the synthetic headers plus at most its variant's value.
    for (const request of engine.requests) {
      expect(Object.keys(request.headers).sort()).toEqual(expect.arrayContaining(['accept', 'user-agent']));
      expect(Object.keys(request.headers).filter((name) => !['accept', 'user-agent', 'cookie', 'x-device'].includes(name))).toEqual([]);
    }
  });
});
