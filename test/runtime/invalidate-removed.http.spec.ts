import type { CacheHandler } from '../../runtime/cache/cache-handler.js';
import type { ISREvent } from '../../runtime/render/isr-events.js';
import { renderNumber, TestEngine, type TestRoute } from './support/test-engine.js';
import { getPage, postInvalidate } from './support/invalidate-client.js';
import { startServer, type TestServer } from './support/test-server.js';

const TOKEN = 'correct-horse-battery-staple';

/** Makes a stored entry look older than its revalidate window, as time passing would. */
async function backdate(cache: CacheHandler, key: string): Promise<void> {
  const entry = await cache.get(key);
  if (!entry) throw new Error(`no entry for ${key}`);
  await cache.set({ ...entry, createdAt: entry.createdAt - 3_600_000 });
}

describe('deleted and moved pages leave the cache (rule 4)', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(extra: Record<string, unknown> = {}) {
    engine = new TestEngine().route('/post', { revalidate: 60, tags: ['posts'] }).route('/other', { revalidate: 60, tags: ['posts'] });
    server = await startServer({ engine, invalidateSecretToken: TOKEN, retry: { initialDelayMs: 60_000 }, ...extra });
    for (const path of ['/post', '/other']) {
      expect((await get(path)).cache).toBe('MISS');
    }
  }

  const get = (path: string) => getPage(server.base, path);
  const invalidate = async (body: Record<string, unknown>) => (await postInvalidate(server.base, TOKEN, body)).json;

  const gone: Array<[string, TestRoute, number, string | null]> = [
    ['answers 404', { revalidate: 60, status: 404 }, 404, 'BYPASS'],
    ['answers 410', { revalidate: 60, status: 410 }, 410, 'BYPASS'],
    ['redirects (301)', { revalidate: 60, status: 301, headers: { location: '/moved' } }, 301, 'BYPASS'],
    ['redirects (307)', { revalidate: 60, status: 307, headers: { location: '/moved' } }, 307, 'BYPASS'],
    ['has no page in the engine (next())', { mode: 'none' }, 404, null],
    ['lost its revalidate (an uncacheable 200)', {}, 200, 'BYPASS'],
    ['answers Cache-Control: private', { revalidate: 60, headers: { 'cache-control': 'private' } }, 200, 'BYPASS'],
  ];

  it.each(gone)(
    'a URL whose route now %s is listed under removed and deleted; the next visitor gets the live answer',
    async (_, route, status, cache) => {
      await start();
      engine.route('/post', route);
      expect(await invalidate({ urlsToInvalidate: ['/post', '/other'] })).toEqual({
        invalidated: ['/other'],
        notInCache: [],
        failed: {},
        removed: ['/post'],
        stale: [],
      });
      expect(await server.isr.cache.get('/post')).toBeUndefined();
      const next = await get('/post');
      expect([next.status, next.cache]).toEqual([status, cache]);
      expect(server.events.some((event) => event.type === 'remove' && event.key === '/post' && event.cause === 'invalidate')).toBe(true);
    },
  );

  it('a tag hit whose page is gone is listed under removed', async () => {
    await start();
    engine.route('/post', { revalidate: 60, status: 404, tags: ['posts'] });
    const result = await invalidate({ tags: ['posts'] });
    expect(result).toMatchObject({ invalidated: ['/other'], removed: ['/post'], failed: {} });
    expect(await server.isr.cache.get('/post')).toBeUndefined();
    // Gone from the tag index too: the next tag invalidation does not name it.
    expect(await invalidate({ tags: ['posts'] })).toMatchObject({ invalidated: ['/other'], removed: [] });
  });

  const transient: Array<[string, TestRoute, string]> = [
    ['answers 500', { revalidate: 60, status: 500 }, 'status 500'],
    ['answers 503', { revalidate: 60, status: 503 }, 'status 503'],
    ['throws', { revalidate: 60, mode: 'throw' }, 'engine failure on /post'],
    ['answers the client-side shell', { revalidate: 60, csr: true }, 'client-side shell'],
    ['had a failing HttpClient request', { revalidate: 60, httpErrors: 1 }, 'HttpClient'],
    ['times out', { revalidate: 60, mode: 'hang' }, 'timed out'],
  ];

  it.each(transient)('a URL whose render %s fails: the last good page stays (failed, served STALE)', async (_, route, reason) => {
    await start({ renderTimeoutMs: 300 });
    engine.route('/post', route);
    const result = await invalidate({ urlsToInvalidate: ['/post'] });
    expect(result).toMatchObject({ invalidated: [], removed: [], stale: [] });
    expect((result.failed as Record<string, string>)['/post']).toContain(reason);
    const kept = await get('/post');
    expect([kept.status, kept.cache, renderNumber(kept.body)]).toEqual([200, 'STALE', 1]);
  });

  const scheduled: Array<[string, TestRoute, string, [number, string | null]]> = [
    ['answers 404', { revalidate: 60, status: 404 }, 'status 404', [404, 'BYPASS']],
    ['redirects', { revalidate: 60, status: 302, headers: { location: '/new' } }, 'redirect (status 302)', [302, 'BYPASS']],
    ['lost revalidate', {}, 'route has no revalidate', [200, 'BYPASS']],
  ];

  it.each(scheduled)(
    'a scheduled regeneration of a page that now %s deletes it: the next visitor gets the live answer',
    async (_, route, reason, live) => {
      await start();
      await backdate(server.isr.cache, '/post');
      engine.route('/post', route);
      const since = server.events.length;
      const stale = await get('/post');
      expect([stale.status, stale.cache]).toEqual([200, 'STALE']);
      const removed = await server.waitForEvent((event: ISREvent) => event.type === 'remove' && event.key === '/post', since);
      expect(removed).toMatchObject({ cause: 'regenerate', reason });
      expect(await server.isr.cache.get('/post')).toBeUndefined();
      for (let i = 0; i < 2; i++) {
        const next = await get('/post');
        expect([next.status, next.cache]).toEqual(live);
      }
    },
  );

  it('a scheduled regeneration that fails transiently keeps the page (no remove)', async () => {
    await start();
    await backdate(server.isr.cache, '/post');
    engine.route('/post', { revalidate: 60, status: 502 });
    const since = server.events.length;
    expect((await get('/post')).cache).toBe('STALE');
    await server.waitForEvent((event) => event.type === 'regeneration' && event.key === '/post' && !event.ok, since);
    expect(server.events.some((event) => event.type === 'remove')).toBe(false);
    const kept = await get('/post');
    expect([kept.status, kept.cache, renderNumber(kept.body)]).toEqual([200, 'STALE', 1]);
  });
});
