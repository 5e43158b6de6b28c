import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { CacheEntry, CacheHandler } from '../../runtime/cache/cache-handler.js';
import { MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';
import type { ISREvent } from '../../runtime/render/isr-events.js';
import { brokenCache } from './support/broken-cache.js';
import { TestClock } from './support/test-clock.js';
import { renderNumber, TestEngine } from './support/test-engine.js';
import { rawRequest, startServer, type TestServer } from './support/test-server.js';

/** Makes a stored entry look older than its revalidate window, as time passing would. */
async function backdate(cache: CacheHandler, key: string, byMs = 3_600_000): Promise<void> {
  const entry = await cache.get(key);
  if (!entry) {
    throw new Error(`no entry for ${key}`);
  }
  await cache.set({ ...entry, createdAt: entry.createdAt - byMs });
}

async function get(server: TestServer, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.base + path, { headers });
  return { status: response.status, cache: response.headers.get('x-isr-cache'), headers: response.headers, body: await response.text() };
}

const isRegeneration = (key: string, ok?: boolean) => (event: ISREvent) =>
  event.type === 'regeneration' && event.key === key && (ok === undefined || event.ok === ok);

describe('ISRHandler over HTTP (Express 5, 127.0.0.1)', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(extra: Parameters<typeof startServer>[0] extends infer O ? Partial<O> : never = {}, serveFromCache = false) {
    engine = new TestEngine();
    server = await startServer({ engine, invalidateSecretToken: 's3cret', retry: { initialDelayMs: 1 }, ...extra }, serveFromCache);
    return server;
  }

  describe('cache states', () => {
    it('goes MISS -> HIT -> STALE -> refreshed HIT as the clock passes revalidate', async () => {
      const clock = new TestClock();
      await start({ now: clock.now });
      engine.route('/blog/a', { revalidate: 1 });
      const miss = await get(server, '/blog/a');
      expect([miss.status, miss.cache, renderNumber(miss.body)]).toEqual([200, 'MISS', 1]);
      const hit = await get(server, '/blog/a');
      expect([hit.status, hit.cache, renderNumber(hit.body)]).toEqual([200, 'HIT', 1]);
      clock.advance(999);
      expect((await get(server, '/blog/a')).cache).toBe('HIT');

      clock.advance(1);
      const stale = await get(server, '/blog/a');
      expect([stale.status, stale.cache, renderNumber(stale.body)]).toEqual([200, 'STALE', 1]);
      await server.waitForEvent(isRegeneration('/blog/a', true));
      const refreshed = await get(server, '/blog/a');
      expect([refreshed.cache, renderNumber(refreshed.body)]).toEqual(['HIT', 2]);
      expect(engine.renders('/blog/a')).toBe(2);
      // The regeneration rendered from a synthetic request: no visitor headers.
      const regeneration = engine.requests[1];
      expect(regeneration.nodeRequest).toBeUndefined();
      expect(Object.keys(regeneration.headers).sort()).toEqual(['accept', 'user-agent']);
    });

    it('renders once for 100 concurrent cold requests', async () => {
      await start();
      engine.route('/cold', { revalidate: 60, delayMs: 30 });
      const responses = await Promise.all(Array.from({ length: 100 }, () => get(server, '/cold')));
      expect(engine.renders('/cold')).toBe(1);
      expect(responses.every((r) => r.status === 200 && renderNumber(r.body) === 1)).toBe(true);
      // Requests that arrive after the page was stored are HITs; none renders again.
      expect(responses.filter((r) => r.cache === 'MISS').length).toBeGreaterThan(0);
      expect(responses.every((r) => r.cache === 'MISS' || r.cache === 'HIT')).toBe(true);
    });

    it('regenerates once for 100 concurrent requests on a stale key', async () => {
      await start();
      engine.route('/busy', { revalidate: 60 });
      await get(server, '/busy');
      await backdate(server.isr.cache, '/busy');
      engine.route('/busy', { revalidate: 60, delayMs: 50 });
      const since = server.events.length;
      const responses = await Promise.all(Array.from({ length: 100 }, () => get(server, '/busy')));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      // Stale answers carry the old page; requests after the regeneration landed get the new one.
      const stale = responses.filter((r) => r.cache === 'STALE');
      expect(stale.length).toBeGreaterThan(0);
      expect(stale.every((r) => renderNumber(r.body) === 1)).toBe(true);
      expect(responses.every((r) => r.cache === 'STALE' || (r.cache === 'HIT' && renderNumber(r.body) === 2))).toBe(true);
      await server.waitForEvent(isRegeneration('/busy', true), since);
      expect(engine.renders('/busy')).toBe(2);
      expect(renderNumber((await get(server, '/busy')).body)).toBe(2);
    });

    it('keeps the last good page with no 5xx when regeneration throws, logs once and retries with back-off', async () => {
      const clock = new TestClock();
      await start({ now: clock.now, retry: { initialDelayMs: 20_000, maxDelayMs: 40_000 } });
      engine.route('/fragile', { revalidate: 60 });
      await get(server, '/fragile');
      clock.advance(60_000);
      engine.route('/fragile', { revalidate: 60, mode: 'throw' });

      const first = await Promise.all(Array.from({ length: 20 }, () => get(server, '/fragile')));
      expect(first.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(first.every((r) => r.cache === 'STALE' && renderNumber(r.body) === 1)).toBe(true);
      const failure = await server.waitForEvent(isRegeneration('/fragile', false));
      expect(failure).toMatchObject({ reason: 'engine failure on /fragile', failures: 1, retryInMs: 20_000 });
      // Until the back-off delay has passed on the clock, requests start no render.
      const rendersAfterFailure = engine.renders('/fragile');
      clock.advance(19_999);
      expect((await get(server, '/fragile')).status).toBe(200);
      await server.isr.idle();
      expect(engine.renders('/fragile')).toBe(rendersAfterFailure);

      // After the back-off a request retries; the second failure is not logged as a warning again.
      let since = server.events.length;
      clock.advance(1);
      expect((await get(server, '/fragile')).status).toBe(200);
      expect(await server.waitForEvent(isRegeneration('/fragile', false), since)).toMatchObject({ failures: 2, retryInMs: 40_000 });
      expect(engine.renders('/fragile')).toBe(rendersAfterFailure + 1);
      expect(server.logger.at('warn').filter((line) => line.includes('/fragile'))).toHaveLength(1);

      engine.route('/fragile', { revalidate: 60 });
      since = server.events.length;
      clock.advance(40_000);
      expect((await get(server, '/fragile')).cache).toBe('STALE');
      await server.waitForEvent(isRegeneration('/fragile', true), since);
      const page = await get(server, '/fragile');
      expect(page.cache).toBe('HIT');
      expect(renderNumber(page.body)).toBe(engine.renders('/fragile'));
      expect(server.logger.at('info').some((line) => line.includes('recovered'))).toBe(true);
    });

    it('times out a hanging regeneration and keeps serving the stale page', async () => {
      await start({ renderTimeoutMs: 100 });
      engine.route('/slow', { revalidate: 60 });
      await get(server, '/slow');
      await backdate(server.isr.cache, '/slow');
      engine.route('/slow', { revalidate: 60, mode: 'hang' });
      const stale = await get(server, '/slow');
      expect([stale.status, stale.cache, renderNumber(stale.body)]).toEqual([200, 'STALE', 1]);
      const failure = await server.waitForEvent(isRegeneration('/slow', false));
      expect(failure).toMatchObject({ reason: 'render timed out after 100 ms' });
      const after = await get(server, '/slow');
      expect([after.status, after.cache, renderNumber(after.body)]).toEqual([200, 'STALE', 1]);
    });

    it('answers a hanging cold render with the error handler after the timeout', async () => {
      await start({ renderTimeoutMs: 100 });
      engine.route('/cold-hang', { revalidate: 60, mode: 'hang' });
      const response = await get(server, '/cold-hang');
      expect([response.status, response.body]).toEqual([500, 'express error handler']);
    });

    it('never regenerates a revalidate: 0 page by itself', async () => {
      await start();
      engine.route('/manual', { revalidate: 0 });
      expect((await get(server, '/manual')).cache).toBe('MISS');
      await backdate(server.isr.cache, '/manual', 10 * 365 * 86_400_000);
      const later = await Promise.all(Array.from({ length: 5 }, () => get(server, '/manual')));
      expect(later.map((r) => r.cache)).toEqual(Array(5).fill('HIT'));
      await server.isr.idle();
      expect(engine.renders('/manual')).toBe(1);
      expect(later[0].headers.get('cache-control')).toBe('public, max-age=0, s-maxage=0, must-revalidate');
    });

    it('calls next() where the engine has no page', async () => {
      await start();
      const response = await get(server, '/nowhere');
      expect([response.status, response.body]).toEqual([404, 'express 404']);
    });

    it('renders its own copy of entries stored by another build (build-namespaced keys)', async () => {
      const cache = new MemoryCacheHandler();
      await start({ cache, buildId: 'build-1' });
      engine.route('/built', { revalidate: 60 });
      await get(server, '/built');
      expect((await cache.get('@build-1|/built'))?.buildId).toBe('build-1');
      await server.close();
      await start({ cache, buildId: 'build-2' });
      engine.route('/built', { revalidate: 60 });
      expect((await get(server, '/built')).cache).toBe('MISS');
      expect((await cache.get('@build-2|/built'))?.buildId).toBe('build-2');
      expect((await cache.get('@build-1|/built'))?.buildId).toBe('build-1');
    });
  });

  describe('BYPASS', () => {
    beforeEach(async () => {
      await start({ allowedQueryParams: ['page'], credentialCookies: ['session'] });
      engine.route('/p', { revalidate: 60 });
    });

    it('does not store routes without revalidate and renders them every time', async () => {
      engine.route('/plain', {});
      const responses = [await get(server, '/plain'), await get(server, '/plain')];
      expect(responses.map((r) => r.cache)).toEqual(['BYPASS', 'BYPASS']);
      // The first request renders the key's synthetic request (not stored) and then the visitor's
      // own; the route is then known to be uncacheable and only the visitor's request renders.
      expect(engine.renders('/plain')).toBe(3);
      expect(await server.isr.cache.get('/plain')).toBeUndefined();
    });

    it('bypasses POST', async () => {
      const response = await fetch(`${server.base}/p`, { method: 'POST' });
      expect(response.headers.get('x-isr-cache')).toBe('BYPASS');
      expect(await server.isr.cache.get('/p')).toBeUndefined();
    });

    it('bypasses a query parameter outside allowedQueryParams and keys allowed ones (sorted)', async () => {
      expect((await get(server, '/p?sort=asc')).cache).toBe('BYPASS');
      expect((await get(server, '/p?page=2&utm_source=news&fbclid=x')).cache).toBe('MISS');
      expect((await get(server, '/p?gclid=1&page=2')).cache).toBe('HIT');
      expect(await server.isr.cache.get('/p?page=2')).toBeDefined();
      expect(await server.isr.cache.get('/p?sort=asc')).toBeUndefined();
    });

    it('bypasses requests with an Authorization header or a credential cookie', async () => {
      await get(server, '/p');
      const auth = await get(server, '/p', { authorization: 'Bearer abc' });
      const cookie = await get(server, '/p', { cookie: 'theme=dark; session=xyz' });
      const harmless = await get(server, '/p', { cookie: 'theme=dark' });
      expect([auth.cache, cookie.cache, harmless.cache]).toEqual(['BYPASS', 'BYPASS', 'HIT']);
      expect(auth.headers.get('cache-control')).toBe('private, no-store');
      expect(engine.renders('/p')).toBe(3);
    });

    it('does not store Set-Cookie, private, no-store, error, CSR-shell or HttpClient-failed responses', async () => {
      // Renders for two requests: a 200 that is not stored is rendered again for the visitor; a
      // route property (cookie, private) is remembered, transient reasons (shell, HttpClient) are not.
      const cases: Array<[string, Parameters<TestEngine['route']>[1], number]> = [
        ['/cookie', { revalidate: 60, headers: { 'set-cookie': ['a=1; Path=/'] } }, 3],
        ['/private', { revalidate: 60, headers: { 'cache-control': 'private, max-age=60' } }, 3],
        ['/no-store', { revalidate: 60, headers: { 'cache-control': 'no-store' } }, 3],
        ['/missing', { revalidate: 60, status: 404 }, 2],
        ['/moved', { revalidate: 60, status: 302, headers: { location: '/p' } }, 2],
        ['/shell', { revalidate: 60, csr: true }, 4],
        ['/http-failed', { revalidate: 60, httpErrors: 1 }, 4],
      ];
      for (const [path, route, renders] of cases) {
        engine.route(path, route);
        const first = await rawRequest(server.base + path);
        const second = await rawRequest(server.base + path);
        expect([path, first.headers['x-isr-cache'], second.headers['x-isr-cache']]).toEqual([path, 'BYPASS', 'BYPASS']);
        expect([path, engine.renders(path)]).toEqual([path, renders]);
        expect(await server.isr.cache.get(path)).toBeUndefined();
      }
      const cookie = await rawRequest(`${server.base}/cookie`);
      expect(cookie.headers['set-cookie']).toEqual(['a=1; Path=/']);
      const moved = await rawRequest(`${server.base}/moved`);
      expect([moved.status, moved.headers.location]).toEqual([302, '/p']);
      const skipped = server.events.filter((e): e is Extract<ISREvent, { type: 'skip-store' }> => e.type === 'skip-store');
      expect(new Set(skipped.map((e) => e.reason))).toEqual(
        new Set([
          'response sets a cookie',
          'response is private or no-store',
          'status 404',
          'status 302',
          'not a server render (client-side shell)',
          'an HttpClient request failed during the render',
        ]),
      );
    });

    it('lets concurrent followers of a personal render render on their own', async () => {
      engine.route('/me', { revalidate: 60, delayMs: 30, headers: { 'set-cookie': 'id=1' } });
      const responses = await Promise.all(Array.from({ length: 5 }, () => rawRequest(`${server.base}/me`)));
      expect(responses.every((r) => r.headers['x-isr-cache'] === 'BYPASS')).toBe(true);
      // One synthetic render for the key (not stored), then each visitor's own.
      expect(engine.renders('/me')).toBe(6);
    });

    it('renders once per key and serves the outage copy while the cache rejects', async () => {
      await server.close();
      const broken = brokenCache('connection refused');
      await start({ cache: broken });
      engine.route('/p', { revalidate: 60, delayMs: 30 });
      const responses = await Promise.all(Array.from({ length: 20 }, () => get(server, '/p')));
      // Requests that arrive after the render get the copy as a HIT; none renders again.
      expect(responses.every((r) => r.status === 200 && ['MISS', 'HIT'].includes(r.cache ?? '') && renderNumber(r.body) === 1)).toBe(true);
      const later = await Promise.all(Array.from({ length: 5 }, () => get(server, '/p')));
      expect(later.map((r) => r.cache)).toEqual(Array(5).fill('HIT'));
      expect(engine.renders('/p')).toBe(1);
      expect(server.events.filter((e) => e.type === 'cache-error' && e.operation === 'get')).toHaveLength(25);
      // One log line for the outage, not one per request.
      expect(server.logger.at('warn').filter((line) => line.includes('connection refused'))).toHaveLength(1);
    });

    it('regenerates a stale outage copy once per revalidate period', async () => {
      await server.close();
      const clock = new TestClock();
      const cache = new MemoryCacheHandler();
      cache.get = () => Promise.reject(new Error('timeout'));
      await start({ cache, now: clock.now });
      engine.route('/p', { revalidate: 60 });
      expect((await get(server, '/p')).cache).toBe('MISS');
      expect((await get(server, '/p')).cache).toBe('HIT');
      clock.advance(60_000);
      expect((await get(server, '/p')).cache).toBe('STALE');
      await server.waitForEvent(isRegeneration('/p', true));
      const refreshed = await Promise.all(Array.from({ length: 5 }, () => get(server, '/p')));
      expect(refreshed.map((r) => [r.cache, renderNumber(r.body)])).toEqual(Array(5).fill(['HIT', 2]));
      expect(engine.renders('/p')).toBe(2);
    });

    it('logs once per cache outage and again when the cache answers', async () => {
      await server.close();
      const cache = new MemoryCacheHandler();
      const realGet = cache.get.bind(cache);
      let down = false;
      cache.get = (key) => (down ? Promise.reject(new Error('timeout')) : realGet(key));
      await start({ cache });
      engine.route('/p', { revalidate: 60 });
      engine.route('/q', { revalidate: 60 });
      expect((await get(server, '/p')).cache).toBe('MISS');
      down = true;
      // A page served a moment before the outage is served from the copy: no render.
      expect([(await get(server, '/p')).cache, (await get(server, '/p')).cache]).toEqual(['HIT', 'HIT']);
      down = false;
      expect((await get(server, '/p')).cache).toBe('HIT');
      down = true;
      expect((await get(server, '/q')).cache).toBe('MISS');
      expect((await get(server, '/q')).cache).toBe('HIT');
      expect(server.logger.at('warn').filter((line) => line.includes('timeout'))).toHaveLength(2);
      expect(server.logger.at('info')).toContain('cache answers again');
      expect([engine.renders('/p'), engine.renders('/q')]).toEqual([1, 1]);
      // A page deleted from the tier (invalidated, removed) is not brought back by the copy.
      down = false;
      await server.isr.cache.delete('/p');
      expect((await get(server, '/p')).cache).toBe('MISS');
      expect(engine.renders('/p')).toBe(2);
    });

    /** A memory tier whose every `set` rejects, as a full disk would. */
    async function restartWithFullDisk(extra: Parameters<typeof start>[0] = {}) {
      await server.close();
      const cache = new MemoryCacheHandler();
      cache.set = () => Promise.reject(new Error('disk full'));
      await start({ cache, ...extra });
    }

    it('serves the outage copy of a page the cache refused to store, once rendered', async () => {
      await restartWithFullDisk();
      engine.route('/p', { revalidate: 60, delayMs: 30 });
      const responses = await Promise.all(Array.from({ length: 50 }, () => get(server, '/p')));
      // Requests that arrive after the render get the copy as a HIT; none renders again.
      expect(responses.every((r) => r.status === 200 && (r.cache === 'MISS' || r.cache === 'HIT') && renderNumber(r.body) === 1)).toBe(
        true,
      );
      expect((await get(server, '/p')).cache).toBe('HIT');
      expect(engine.renders('/p')).toBe(1);
    });

    it('keeps no outage copy with outageCopyBytes: 0 (every request renders, none fails)', async () => {
      await restartWithFullDisk({ outageCopyBytes: 0 });
      engine.route('/p', { revalidate: 60 });
      expect([(await get(server, '/p')).status, (await get(server, '/p')).status]).toEqual([200, 200]);
      expect(engine.renders('/p')).toBe(2);
    });
  });

  describe('HIT path', () => {
    beforeEach(async () => {
      await start();
      engine.route('/page', { revalidate: 30, headers: { 'x-custom': 'kept', 'content-language': 'en' } });
      await rawRequest(`${server.base}/page`);
    });

    it('answers If-None-Match with 304 for every variant', async () => {
      const identity = await rawRequest(`${server.base}/page`);
      const etag = identity.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const notModified = await rawRequest(`${server.base}/page`, { headers: { 'if-none-match': etag } });
      expect([notModified.status, notModified.body.length, notModified.headers.etag]).toEqual([304, 0, etag]);
      const brEtag = (await rawRequest(`${server.base}/page`, { headers: { 'accept-encoding': 'br' } })).headers.etag as string;
      expect(brEtag).not.toBe(etag);
      const brNotModified = await rawRequest(`${server.base}/page`, { headers: { 'accept-encoding': 'br', 'if-none-match': brEtag } });
      expect(brNotModified.status).toBe(304);
      const other = await rawRequest(`${server.base}/page`, { headers: { 'if-none-match': '"something-else"' } });
      expect(other.status).toBe(200);
    });

    it('serves prepared br and gzip variants by Accept-Encoding with Vary', async () => {
      const br = await rawRequest(`${server.base}/page`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      const gzip = await rawRequest(`${server.base}/page`, { headers: { 'accept-encoding': 'gzip' } });
      const identity = await rawRequest(`${server.base}/page`, { headers: { 'accept-encoding': 'identity' } });
      expect([br.headers['content-encoding'], gzip.headers['content-encoding'], identity.headers['content-encoding']]).toEqual([
        'br',
        'gzip',
        undefined,
      ]);
      const html = identity.body.toString();
      expect(brotliDecompressSync(br.body).toString()).toBe(html);
      expect(gunzipSync(gzip.body).toString()).toBe(html);
      expect(br.body.length).toBeLessThan(identity.body.length);
      for (const response of [br, gzip, identity]) {
        expect(response.headers.vary).toBe('Accept-Encoding');
        expect(response.headers['content-length']).toBe(String(response.body.length));
      }
      const entry = (await server.isr.cache.get('/page')) as CacheEntry;
      expect(entry.variants.br?.equals(br.body)).toBe(true);
    });

    it('keeps the page headers and sends CDN-friendly Cache-Control', async () => {
      const hit = await rawRequest(`${server.base}/page`);
      expect(hit.headers['x-isr-cache']).toBe('HIT');
      expect(hit.headers['x-custom']).toBe('kept');
      expect(hit.headers['content-language']).toBe('en');
      expect(hit.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(hit.headers['cache-control']).toMatch(/^public, max-age=0, s-maxage=(29|30), stale-while-revalidate=30$/);
    });

    it('supports HEAD without a body', async () => {
      const head = await rawRequest(`${server.base}/page`, { method: 'HEAD' });
      const getResponse = await rawRequest(`${server.base}/page`);
      expect([head.status, head.headers['x-isr-cache'], head.body.length]).toEqual([200, 'HIT', 0]);
      expect(head.headers['content-length']).toBe(String(getResponse.body.length));
    });

    it('honours q=0 for br and serves identity without Accept-Encoding', async () => {
      const gzipOnly = await rawRequest(`${server.base}/page`, { headers: { 'accept-encoding': 'br;q=0, gzip' } });
      expect(gzipOnly.headers['content-encoding']).toBe('gzip');
      const none = await rawRequest(`${server.base}/page`);
      expect(none.headers['content-encoding']).toBeUndefined();
    });

    it('stores a page first requested with HEAD and serves its body to the next GET', async () => {
      engine.route('/head-first', { revalidate: 30 });
      const head = await rawRequest(`${server.base}/head-first`, { method: 'HEAD' });
      expect([head.status, head.headers['x-isr-cache'], head.body.length]).toEqual([200, 'MISS', 0]);
      const getAfter = await rawRequest(`${server.base}/head-first`);
      expect([getAfter.headers['x-isr-cache'], renderNumber(getAfter.body.toString())]).toEqual(['HIT', 1]);
    });

    it('leaves Cache-Control alone when switched off', async () => {
      await server.close();
      await start({ cacheControl: false });
      engine.route('/page', { revalidate: 30, headers: { 'cache-control': 'public, max-age=5' } });
      await rawRequest(`${server.base}/page`);
      const hit = await rawRequest(`${server.base}/page`);
      expect([hit.headers['x-isr-cache'], hit.headers['cache-control']]).toEqual(['HIT', 'public, max-age=5']);
    });
  });

  describe('serveFromCache', () => {
    it('answers cached pages before later middleware and passes everything else on', async () => {
      await start({}, true);
      engine.route('/cached', { revalidate: 60 });
      const miss = await get(server, '/cached');
      expect(miss.cache).toBe('MISS');
      const hit = await get(server, '/cached');
      expect(hit.cache).toBe('HIT');
      const file = await get(server, '/static.txt');
      expect([file.body, file.cache]).toEqual(['static file', null]);
      expect(engine.renders()).toBe(1);
      await backdate(server.isr.cache, '/cached');
      const stale = await get(server, '/cached');
      expect(stale.cache).toBe('STALE');
      await server.waitForEvent(isRegeneration('/cached', true));
      expect(engine.renders('/cached')).toBe(2);
    });
  });
});
