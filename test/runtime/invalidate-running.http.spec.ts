import type { CacheEntry, CacheHandler } from '../../runtime/cache/cache-handler.js';
import { MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';
import { GatedEngine } from './support/gated-engine.js';
import { renderNumber } from './support/test-engine.js';
import { getPage, postInvalidate } from './support/invalidate-client.js';
import { startServer, type TestServer } from './support/test-server.js';

const TOKEN = 'correct-horse-battery-staple';

/** A memory tier that reports each `keysByTag` call, so a test knows an invalidation has reached the cache. */
class WatchedCache extends MemoryCacheHandler implements CacheHandler {
  private readonly watchers: Array<{ tag: string; resolve: () => void }> = [];

  /** Resolves at the next `keysByTag(tag)`. */
  nextKeysByTag(tag: string): Promise<void> {
    return new Promise((resolve) => this.watchers.push({ tag, resolve }));
  }

  override async keysByTag(tag: string): Promise<string[]> {
    for (const watcher of this.watchers.filter((w) => w.tag === tag)) {
      this.watchers.splice(this.watchers.indexOf(watcher), 1);
      watcher.resolve();
    }
    return super.keysByTag(tag);
  }
}

describe('invalidation wins over running renders (rule 5)', () => {
  let server: TestServer;
  let engine: GatedEngine;
  let cache: WatchedCache;

  afterEach(async () => {
    await server?.close();
  });

  async function start() {
    engine = new GatedEngine()
      .route('/post', { revalidate: 60, tags: ['posts'] })
      .route('/home', { revalidate: 0 })
      .route('/about', { revalidate: 60 }) as GatedEngine;
    cache = new WatchedCache();
    server = await startServer({ engine, cache, invalidateSecretToken: TOKEN });
  }

  const get = (path: string) => getPage(server.base, path);
  const invalidate = async (body: Record<string, unknown>) => (await postInvalidate(server.base, TOKEN, body)).json;

  /** The implicit per-key tag an invalidation looks a URL's copies up by (after stamping it). */
  const keyLookup = (key: string) => `isr:key:${key}`;

  it('a URL invalidated during its first render is re-rendered after it, not reported notInCache', async () => {
    await start();
    engine.hold('/home');
    const visitor = get('/home');
    await engine.startedRenders('/home');
    const reached = cache.nextKeysByTag(keyLookup('/home'));
    const answer = invalidate({ urlsToInvalidate: ['/home'] });
    await reached;
    engine.open('/home');
    expect((await visitor).cache).toBe('MISS');
    expect(await answer).toEqual({ invalidated: ['/home'], notInCache: [], failed: {}, removed: [], stale: [] });
    // The first render started before the invalidation: never stored as fresh.
    const stores = server.events.filter((event) => event.type === 'store' && event.key === '/home');
    expect(stores).toEqual([expect.objectContaining({ cause: 'miss', stale: true }), expect.not.objectContaining({ stale: true })]);
    const after = await get('/home');
    expect([after.cache, renderNumber(after.body)]).toEqual(['HIT', 2]);
  });

  it('a page of a tag invalidated during its first render ends with content rendered after the invalidation', async () => {
    await start();
    await get('/about');
    engine.hold('/post');
    const visitor = get('/post');
    await engine.startedRenders('/post');
    // The URL in the same request shows when the invalidation has stamped its keys and tags.
    const reached = cache.nextKeysByTag(keyLookup('/about'));
    const answer = invalidate({ urlsToInvalidate: ['/about'], tags: ['posts'] });
    await reached;
    engine.open('/post');
    await visitor;
    expect(await answer).toMatchObject({ invalidated: ['/about', '/post'], notInCache: [], failed: {} });
    const after = await get('/post');
    expect([after.cache, renderNumber(after.body)]).toEqual(['HIT', 2]);
  });

  it('a background regeneration running when the page is invalidated does not store a fresh result', async () => {
    await start();
    await get('/post');
    const entry = (await cache.get('/post')) as CacheEntry;
    await cache.set({ ...entry, createdAt: entry.createdAt - 3_600_000 });
    engine.hold('/post');
    expect((await get('/post')).cache).toBe('STALE');
    await engine.startedRenders('/post', 2);
    const reached = cache.nextKeysByTag(keyLookup('/post'));
    const answer = invalidate({ urlsToInvalidate: ['/post'] });
    await reached;
    engine.open('/post');
    expect(await answer).toMatchObject({ invalidated: ['/post'], failed: {} });
    const stores = server.events.filter((event) => event.type === 'store' && event.key === '/post');
    expect(stores.map((event) => [event.type === 'store' && event.cause, event.type === 'store' && event.stale === true])).toEqual([
      ['miss', false],
      ['regenerate', true],
      ['invalidate', false],
    ]);
    const after = await get('/post');
    expect([after.cache, renderNumber(after.body)]).toEqual(['HIT', 3]);
  });
});
