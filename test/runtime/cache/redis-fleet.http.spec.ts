import { CapturingLogger } from '../../support/capturing-logger';
import { RedisCacheHandler, type RedisCacheHandlerOptions } from '../../../runtime/cache/redis-cache-handler';
import type { ISREvent } from '../../../runtime/render/isr-events';
import { GatedEngine } from '../support/gated-engine';
import { renderNumber, TestEngine } from '../support/test-engine';
import { postInvalidate } from '../support/invalidate-client';
import { startServer, type TestServer } from '../support/test-server';
import { waitFor } from './cache-handler.contract';
import { startOwnRedis, testRedis, uniquePrefix, type TestRedis } from './support/redis-server';
jest.setTimeout(30_000); // the outage test waits up to 10 s twice for the instances to reconnect

/**
 * A fleet in one test: two ISRHandler instances behind two real Express servers on 127.0.0.1,
 * each with its own engine (render counter) and its own RedisCacheHandler on one Redis.
 */
interface Instance {
  server: TestServer;
  engine: GatedEngine;
  cache: RedisCacheHandler;
  cacheLog: CapturingLogger;
}

const TOKEN = 's3cret';

async function startInstance(
  url: string,
  keyPrefix: string,
  options: Partial<RedisCacheHandlerOptions> = {},
  buildId?: string,
): Promise<Instance> {
  const cacheLog = new CapturingLogger();
  const cache = new RedisCacheHandler({ url, keyPrefix, logger: cacheLog, ...options });
  const engine = new GatedEngine();
  const server = await startServer({
    engine,
    cache,
    invalidateSecretToken: TOKEN,
    retry: { initialDelayMs: 1 },
    ...(buildId ? { buildId } : {}),
  });
  return { server, engine, cache, cacheLog };
}

async function get(instance: Instance, path: string) {
  const response = await fetch(instance.server.base + path);
  return { status: response.status, cache: response.headers.get('x-isr-cache'), body: await response.text() };
}

function routes(engine: TestEngine): void {
  engine
    .route('/', { revalidate: 60, tags: ['home'] })
    .route('/blog/a', { revalidate: 60, tags: ['posts'] })
    .route('/blog/b', { revalidate: 60, tags: ['posts'] })
    .route('/about', { revalidate: 0 })
    .route('/slow', { revalidate: 60 });
}

describe('a fleet of two ISRHandlers sharing Redis (real Express + real redis-server)', () => {
  let redis: TestRedis;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await redis.dispose();
  });
  beforeEach(async () => {
    const prefix = uniquePrefix('fleet');
    a = await startInstance(redis.url, prefix);
    b = await startInstance(redis.url, prefix);
    routes(a.engine);
    routes(b.engine);
  });
  afterEach(async () => {
    await a.cache.clear();
    await a.server.close();
    await b.server.close();
  });

  it('a page rendered by one instance is a HIT on the other', async () => {
    const miss = await get(a, '/blog/a');
    expect([miss.status, miss.cache, renderNumber(miss.body)]).toEqual([200, 'MISS', 1]);
    const hit = await get(b, '/blog/a');
    expect([hit.status, hit.cache, renderNumber(hit.body)]).toEqual([200, 'HIT', 1]);
    expect(hit.body).toBe(miss.body);
    expect(b.engine.renders()).toBe(0);
  });

  it('invalidating a tag on one instance refreshes the pages for both', async () => {
    for (const path of ['/blog/a', '/blog/b', '/']) await get(a, path);
    expect((await get(b, '/blog/b')).cache).toBe('HIT');
    const before = new Map<string, number>();
    for (const path of ['/blog/a', '/blog/b', '/']) before.set(path, (await a.cache.get(path))!.createdAt);

    const response = await fetch(`${b.server.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ tags: ['posts'] }),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { invalidated: string[] };
    expect([...result.invalidated].sort()).toEqual(['/blog/a', '/blog/b']);

    // b regenerated the tagged pages; a serves b's new entries; the untagged page is untouched.
    for (const path of ['/blog/a', '/blog/b']) {
      expect(b.engine.renders(path)).toBe(1);
      expect(a.engine.renders(path)).toBe(1);
      expect((await get(a, path)).cache).toBe('HIT');
      expect((await a.cache.get(path))!.createdAt).toBeGreaterThan(before.get(path)!);
    }
    expect((await a.cache.get('/'))!.createdAt).toBe(before.get('/'));
    expect(b.engine.renders('/')).toBe(0);
  });

  it('a stale page is regenerated once for the whole fleet (Redis lock), both keep serving it', async () => {
    await get(a, '/slow');
    // Make the shared entry stale, as time passing would.
    const entry = await a.cache.get('/slow');
    await a.cache.set({ ...entry!, createdAt: Date.now() - 120_000 });

    // The regeneration is held until every request has been answered: no timing window decides
    // whether a request sees the old page (STALE) or the new one.
    a.engine.hold('/slow');
    b.engine.hold('/slow');
    const since = [a.server.events.length, b.server.events.length];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => get(i % 2 === 0 ? a : b, '/slow')));
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.cache).toBe('STALE');
      expect(renderNumber(response.body)).toBe(1);
    }
    a.engine.open('/slow');
    b.engine.open('/slow');
    // Exactly one instance regenerates; wait for its result to land, then for both to settle.
    const isStore = (event: ISREvent): boolean => event.type === 'store' && event.key === '/slow';
    await Promise.race([a.server.waitForEvent(isStore, since[0]), b.server.waitForEvent(isStore, since[1])]);
    await Promise.all([a.server.isr.idle(), b.server.isr.idle()]);
    const regenerations = a.engine.renders('/slow') + b.engine.renders('/slow') - 1;
    expect(regenerations).toBe(1);
    const stored = [...a.server.events.slice(since[0]), ...b.server.events.slice(since[1])].filter(
      (event) => event.type === 'store' && event.key === '/slow',
    );
    expect(stored).toHaveLength(1);
    const fresh = await get(a, '/slow');
    expect([fresh.cache, renderNumber(fresh.body)]).toEqual(['HIT', 2]);
  });

  /** Runs `body` with two instances of different builds on one fresh prefix, then stops them. */
  async function withTwoBuilds(label: string, body: (old: Instance, next: Instance) => Promise<void>): Promise<void> {
    const prefix = uniquePrefix(label);
    const old = await startInstance(redis.url, prefix, {}, 'build-1');
    const next = await startInstance(redis.url, prefix, {}, 'build-2');
    try {
      routes(old.engine);
      routes(next.engine);
      await body(old, next);
    } finally {
      await old.cache.clear();
      await old.server.close();
      await next.server.close();
    }
  }

  it('two builds on one Redis (a rolling deploy) keep their own pages: 40 alternating requests, 2 renders', async () => {
    await withTwoBuilds('builds', async (old, next) => {
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        answers.push((await get(old, '/about')).cache ?? '', (await get(next, '/about')).cache ?? '');
      }
      expect([old.engine.renders('/about'), next.engine.renders('/about')]).toEqual([1, 1]);
      expect(answers.slice(0, 2)).toEqual(['MISS', 'MISS']);
      expect(new Set(answers.slice(2))).toEqual(new Set(['HIT']));
      expect([(await old.cache.get('@build-1|/about'))?.buildId, (await next.cache.get('@build-2|/about'))?.buildId]).toEqual([
        'build-1',
        'build-2',
      ]);
    });
  });

  it("invalidating a URL on the new build reaches the old build's copy (marked stale, regenerated on its next request)", async () => {
    await withTwoBuilds('builds-inv', async (old, next) => {
      await get(old, '/blog/a');
      await get(next, '/blog/a');
      const answer = await postInvalidate(next.server.base, TOKEN, { urlsToInvalidate: ['/blog/a'] });
      expect(answer.json).toMatchObject({ invalidated: ['/blog/a'], failed: {} });
      expect(next.engine.renders('/blog/a')).toBe(2);
      const since = old.server.events.length;
      const stale = await get(old, '/blog/a');
      expect([stale.cache, renderNumber(stale.body)]).toEqual(['STALE', 1]);
      await old.server.waitForEvent((event) => event.type === 'store' && event.key === '/blog/a', since);
      const fresh = await get(old, '/blog/a');
      expect([fresh.cache, renderNumber(fresh.body)]).toEqual(['HIT', 2]);
      // A tag reaches every build's copy the same way.
      const byTag = await postInvalidate(old.server.base, TOKEN, { tags: ['posts'] });
      expect(byTag.json).toMatchObject({ invalidated: ['/blog/a'], failed: {} });
      expect((await get(next, '/blog/a')).cache).toBe('STALE');
    });
  });
});

describe('Redis stopped and restarted under a running fleet', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('keeps answering while Redis is down (one render per instance) and shares the cache again once it is back', async () => {
    const prefix = uniquePrefix('outage');
    const a = await startInstance(redis.url, prefix, { commandTimeoutMs: 300 });
    const b = await startInstance(redis.url, prefix, { commandTimeoutMs: 300 });
    try {
      routes(a.engine);
      routes(b.engine);
      expect((await get(a, '/blog/a')).cache).toBe('MISS');
      expect((await get(b, '/blog/a')).cache).toBe('HIT');

      await redis.stop();
      const during = await Promise.all(Array.from({ length: 10 }, (_, i) => get(i % 2 === 0 ? a : b, '/blog/a')));
      for (const response of during) {
        expect(response.status).toBe(200);
        expect(['MISS', 'HIT']).toContain(response.cache);
        expect(response.body).toContain('/blog/a render #');
      }
      // The outage copy: at most one more render per instance, however many requests.
      expect(a.engine.renders('/blog/a') + b.engine.renders('/blog/a')).toBeLessThanOrEqual(3);
      // One line per instance for the whole outage.
      expect(a.cacheLog.messages().filter((line) => /unavailable/.test(line))).toHaveLength(1);
      expect(b.cacheLog.messages().filter((line) => /unavailable/.test(line))).toHaveLength(1);

      await redis.start();
      // Once Redis answers, an instance writes its outage copy back: the fleet shares it again.
      const restored = (instance: Instance) => instance.cacheLog.messages().some((line) => /restored/.test(line));
      await waitFor(async () => (await get(a, '/blog/a')).status === 200 && restored(a), 10_000, 'a to reach Redis again');
      await get(a, '/blog/a');
      const c = await startInstance(redis.url, prefix, { commandTimeoutMs: 300 });
      try {
        routes(c.engine);
        expect((await get(c, '/blog/a')).cache).toBe('HIT');
        expect(c.engine.renders('/blog/a')).toBe(0);
      } finally {
        await c.server.close();
      }
      expect(a.cacheLog.messages().filter((line) => /restored/.test(line))).toHaveLength(1);
    } finally {
      await a.server.close();
      await b.server.close();
    }
  });
});
