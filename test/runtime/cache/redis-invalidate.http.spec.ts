import type { CacheEntry } from '../../../runtime/cache/cache-handler';
import { RedisCacheHandler } from '../../../runtime/cache/redis-cache-handler';
import { CapturingLogger } from '../../support/capturing-logger';
import { GatedEngine } from '../support/gated-engine';
import { renderNumber } from '../support/test-engine';
import { postInvalidate } from '../support/invalidate-client';
import { startServer, type TestServer } from '../support/test-server';
import { testRedis, uniquePrefix, type TestRedis } from './support/redis-server';
jest.setTimeout(30_000); // one test waits out a peer's lock (renderTimeoutMs + 5 s)

const TOKEN = 'correct-horse-battery-staple';

/** A Redis tier that reports refused lock attempts, so a test knows an instance is waiting for its peer. */
class WatchedRedis extends RedisCacheHandler {
  private refusals = 0;
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  /** Resolves once `count` more lock attempts have been refused. */
  refused(count: number): Promise<void> {
    const target = this.refusals + count;
    return new Promise((resolve) => this.waiters.push({ count: target, resolve }));
  }

  override async acquireLock(key: string, ttlMs: number): Promise<boolean> {
    const granted = await super.acquireLock(key, ttlMs);
    if (!granted) {
      this.refusals++;
      for (const waiter of this.waiters.filter((w) => w.count <= this.refusals)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    return granted;
  }
}

interface Instance {
  server: TestServer;
  engine: GatedEngine;
  cache: WatchedRedis;
}

async function startInstance(url: string, keyPrefix: string, label: string, renderTimeoutMs = 10_000): Promise<Instance> {
  const cache = new WatchedRedis({ url, keyPrefix, logger: new CapturingLogger() });
  const engine = new GatedEngine();
  // The page tells which instance rendered it.
  engine.route('/post', { revalidate: 60, tags: ['posts'], headers: { 'x-rendered-by': label } });
  const server = await startServer({ engine, cache, invalidateSecretToken: TOKEN, buildId: 'build-1', renderTimeoutMs });
  return { server, engine, cache };
}

async function get(instance: Instance, path: string) {
  const response = await fetch(instance.server.base + path);
  return { cache: response.headers.get('x-isr-cache'), by: response.headers.get('x-rendered-by'), body: await response.text() };
}

/**
 * Resolves once `instance`'s in-process copy of the page is gone or `settled` (bounded): a peer's
 * store reaches the copy by pub/sub, a moment after the store itself has resolved.
 */
async function copySettled(instance: Instance, settled: (entry: CacheEntry) => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const copy = instance.cache.peek('@build-1|/post');
    if (copy === undefined || settled(copy)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the in-process copy of /post still holds the old page after 5 s (rendered by ${copy.headers['x-rendered-by']})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function invalidate(instance: Instance, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await postInvalidate(instance.server.base, TOKEN, body)).json;
}

describe('invalidation while a peer renders the page (two ISRHandlers on one real Redis)', () => {
  let redis: TestRedis | undefined;
  let a: Instance;
  let b: Instance;

  afterAll(() => redis?.dispose());
  afterEach(async () => {
    a.engine.open('/post');
    await a.cache.clear();
    await a.server.close();
    await b.server.close();
  });

  async function startPair(bRenderTimeoutMs?: number) {
    redis ??= await testRedis();
    const prefix = uniquePrefix('inv-peer');
    a = await startInstance(redis.url, prefix, 'a');
    b = await startInstance(redis.url, prefix, 'b', bRenderTimeoutMs);
  }

  it('a URL whose first render runs on the peer is not notInCache: it waits for the peer, then renders again', async () => {
    await startPair();
    a.engine.hold('/post');
    const visitor = get(a, '/post');
    await a.engine.startedRenders('/post');
    // Two refusals: B's probe (is a peer rendering it?) and B's first wait for the lock.
    const waiting = b.cache.refused(2);
    const answer = invalidate(b, { urlsToInvalidate: ['/post'] });
    await waiting;
    a.engine.open('/post');
    expect((await visitor).cache).toBe('MISS');
    expect(await answer).toEqual({ invalidated: ['/post'], notInCache: [], failed: {}, removed: [], stale: [] });
    expect([a.engine.renders('/post'), b.engine.renders('/post')]).toEqual([1, 1]);
    expect(await get(a, '/post')).toMatchObject({ cache: 'HIT', by: 'b' });
  });

  it('a cached page whose background regeneration runs on the peer is invalidated, not failed (#16 item 2)', async () => {
    await startPair();
    await get(a, '/post');
    const entry = (await a.cache.get('@build-1|/post')) as CacheEntry;
    await a.cache.set({ ...entry, createdAt: entry.createdAt - 3_600_000 });
    a.engine.hold('/post');
    expect((await get(a, '/post')).cache).toBe('STALE');
    await a.engine.startedRenders('/post', 2);
    const waiting = b.cache.refused(1);
    const answer = invalidate(b, { tags: ['posts'] });
    await waiting;
    a.engine.open('/post');
    expect(await answer).toMatchObject({ invalidated: ['/post'], failed: {}, stale: [] });
    await copySettled(a, (entry) => entry.headers['x-rendered-by'] === 'b');
    const after = await get(a, '/post');
    expect([after.cache, after.by, renderNumber(after.body)]).toEqual(['HIT', 'b', 1]);
  });

  it('a peer that keeps the lock past the wait: the page is marked stale in Redis and regenerated on its next request', async () => {
    await startPair(100);
    await get(a, '/post');
    // A peer stuck with the lock (its render never ends, its lock does not expire within the test).
    expect(await a.cache.acquireLock('/post', 60_000)).toBe(true);
    expect(await invalidate(b, { urlsToInvalidate: ['/post'] })).toEqual({
      invalidated: [],
      notInCache: [],
      failed: {},
      removed: [],
      stale: ['/post'],
    });
    await a.cache.releaseLock('/post');
    const since = a.server.events.length;
    const stale = await get(a, '/post');
    expect([stale.cache, stale.by, renderNumber(stale.body)]).toEqual(['STALE', 'a', 1]);
    await a.server.waitForEvent((event) => event.type === 'store' && event.key === '/post', since);
    await copySettled(b, (entry) => renderNumber(entry.body.toString('utf8')) === 2);
    const fresh = await get(b, '/post');
    expect([fresh.cache, fresh.by, renderNumber(fresh.body)]).toEqual(['HIT', 'a', 2]);
  });
});
