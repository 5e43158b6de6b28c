import { ISRHandler } from '../../../runtime/isr-handler.js';
import { TestEngine } from '../support/test-engine.js';
import { startServer, type TestServer } from '../support/test-server.js';

describe('cacheStatuses over HTTP', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(cacheStatuses?: Record<number, number>) {
    engine = new TestEngine()
      // A 404 page whose API call failed (how a not-found page usually comes about), no route revalidate.
      .route('/gone-product', { status: 404, httpErrors: 1 })
      .route('/old', { status: 301, headers: { location: 'http://localhost/new' }, csr: true })
      .route('/down', { status: 503 });
    server = await startServer({ engine, invalidateSecretToken: 'secret', cacheStatuses });
  }

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(server.base + path, { redirect: 'manual', headers });
    return {
      status: response.status,
      cache: response.headers.get('x-isr-cache'),
      location: response.headers.get('location'),
      cacheControl: response.headers.get('cache-control'),
      etag: response.headers.get('etag'),
    };
  }

  it('never stores a non-200 answer by default', async () => {
    await start();
    for (const path of ['/gone-product', '/old']) {
      expect((await get(path)).cache).toBe('BYPASS');
      expect((await get(path)).cache).toBe('BYPASS');
      expect(engine.renders(path)).toBe(2);
    }
  });

  it('stores the opted-in statuses for their seconds; redirects keep their Location', async () => {
    await start({ 404: 60, 301: 3600 });
    expect(await get('/gone-product')).toMatchObject({ status: 404, cache: 'MISS' });
    const hit = await get('/gone-product');
    expect(hit).toMatchObject({ status: 404, cache: 'HIT', cacheControl: expect.stringMatching(/s-maxage=(59|60),/) });
    // Only a 200 answers If-None-Match with 304.
    expect((await get('/gone-product', { 'if-none-match': hit.etag ?? '' })).status).toBe(404);
    expect(engine.renders('/gone-product')).toBe(1);

    expect(await get('/old')).toMatchObject({ status: 301, cache: 'MISS', location: 'http://localhost/new' });
    expect(await get('/old')).toMatchObject({ status: 301, cache: 'HIT', location: 'http://localhost/new' });
    expect(engine.renders('/old')).toBe(1);
    expect((await server.isr.cache.get('/old'))?.revalidate).toBe(3600);

    // A status that is not opted in still bypasses, and a stored 404 that turns into a page is replaced.
    expect((await get('/down')).cache).toBe('BYPASS');
    engine.route('/gone-product', { revalidate: 30 });
    const result = await server.isr.revalidatePath('/gone-product');
    expect(result.invalidated).toEqual(['/gone-product']);
    expect(await get('/gone-product')).toMatchObject({ status: 200, cache: 'HIT' });
  });

  it('refuses statuses it cannot store and non-positive seconds', () => {
    const make = (cacheStatuses: Record<number, number>) => () =>
      new ISRHandler({ engine: new TestEngine(), logger: false, cacheStatuses });
    expect(make({ 500: 10 })).toThrow('ISRHandler: cacheStatuses cannot store status 500; allowed: 301, 302, 303, 307, 308, 404, 410.');
    expect(make({ 200: 10 })).toThrow(/cannot store status 200/);
    expect(make({ 404: 0 })).toThrow('ISRHandler: cacheStatuses[404] must be a positive number of seconds.');
  });

  it('says at the first request that CommonEngine cannot report a status', async () => {
    const commonEngine = { render: async () => '<html><body><app-root ng-server-context="ssr">x</app-root></body></html>' };
    server = await startServer({
      commonEngine,
      bootstrap: () => undefined,
      indexHtml: '/nonexistent/index.server.html',
      browserDistFolder: '/nonexistent',
      cacheStatuses: { 404: 60 },
    });
    expect(server.logger.at('warn')).toEqual([]);
    await fetch(server.base + '/x');
    expect(server.logger.at('warn')).toContain(
      'cacheStatuses has no effect with commonEngine: CommonEngine reports no HTTP status (every page is a 200); use angularAppEngine to store 404s and redirects',
    );
  });
});
