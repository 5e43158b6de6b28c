import { createCluster } from 'redis';
import { CapturingLogger } from '../../support/capturing-logger';
import { RedisCacheHandler, type RedisCacheHandlerOptions } from '../../../runtime/cache/redis-cache-handler';
import { hashSlot, RedisKeyLayout } from '../../../runtime/cache/redis-key-layout';
import type { ISREvent } from '../../../runtime/render/isr-events';
import { postInvalidate } from '../support/invalidate-client';
import { renderNumber, TestEngine } from '../support/test-engine';
import { startServer, type TestServer } from '../support/test-server';
import { waitFor } from './cache-handler.contract';
import { startOwnRedisCluster, type TestRedisCluster } from './support/redis-cluster';
import { uniquePrefix } from './support/redis-server';
jest.setTimeout(60_000); // the master-kill test waits for the node timeout (2 s) and the restarted master

/**
 * A fleet on a real 3-master Redis Cluster: two ISRHandler instances behind two real Express
 * servers, each with its own engine (render counter) and its own RedisCacheHandler
 * (`cluster: { rootNodes }`, in-process copy on by default).
 */
interface Instance {
  server: TestServer;
  engine: TestEngine;
  cache: RedisCacheHandler;
  cacheLog: CapturingLogger;
}

const TOKEN = 's3cret';
const POSTS = Array.from({ length: 12 }, (_, i) => `/blog/${i}`);

let cluster: TestRedisCluster;
let admin: ReturnType<typeof createCluster>;

beforeAll(async () => {
  cluster = await startOwnRedisCluster();
  admin = createCluster({ rootNodes: cluster.rootNodes.map((url) => ({ url })) });
  admin.on('error', () => undefined);
  await admin.connect();
});
afterAll(async () => {
  admin?.destroy();
  await cluster?.dispose();
});

async function startInstance(name: string, keyPrefix: string, options: Partial<RedisCacheHandlerOptions> = {}): Promise<Instance> {
  const cacheLog = new CapturingLogger();
  const cache = new RedisCacheHandler({ cluster: { rootNodes: cluster.rootNodes }, keyPrefix, logger: cacheLog, ...options });
  const engine = new TestEngine();
  engine.route('/', { revalidate: 60, tags: ['home'] }).route('/slow', { revalidate: 1, delayMs: 300 });
  // Stored with the page: tells which instance rendered what a visitor gets.
  for (const path of POSTS) engine.route(path, { revalidate: 60, tags: ['posts'], headers: { 'x-rendered-by': name } });
  const server = await startServer({ engine, cache, invalidateSecretToken: TOKEN, retry: { initialDelayMs: 1 } });
  return { server, engine, cache, cacheLog };
}

async function get(instance: Instance, path: string) {
  const response = await fetch(instance.server.base + path);
  return {
    status: response.status,
    cache: response.headers.get('x-isr-cache'),
    by: response.headers.get('x-rendered-by'),
    body: await response.text(),
  };
}

/** The address of the master serving `key`'s entry. */
function masterOf(prefix: string, key: string): string {
  return admin.slots[hashSlot(new RedisKeyLayout(prefix).entryKey(key))]?.master.address ?? 'unknown';
}

describe('a fleet of two ISRHandlers sharing a 3-master Redis Cluster', () => {
  let prefix: string;
  let a: Instance;
  let b: Instance;

  beforeEach(async () => {
    prefix = uniquePrefix('cluster-fleet');
    a = await startInstance('a', prefix);
    b = await startInstance('b', prefix);
  });
  afterEach(async () => {
    await a.cache.clear();
    await a.server.close();
    await b.server.close();
  });

  it('a page rendered by one instance is a HIT on the other, and stays one from its in-process copy', async () => {
    const miss = await get(a, '/');
    expect([miss.status, miss.cache, renderNumber(miss.body)]).toEqual([200, 'MISS', 1]);
    for (let i = 0; i < 5; i++) {
      const hit = await get(b, '/');
      expect([hit.status, hit.cache, hit.body]).toEqual([200, 'HIT', miss.body]);
    }
    expect(b.engine.renders()).toBe(0);
  });

  it('invalidating a tag whose pages live on several masters refreshes them for both instances', async () => {
    expect(new Set(POSTS.map((path) => masterOf(prefix, path))).size).toBeGreaterThanOrEqual(2);
    for (const path of [...POSTS, '/']) await get(a, path);
    // b holds copies of every page (HITs), which the invalidation must reach.
    for (const path of POSTS) expect(await get(b, path)).toMatchObject({ cache: 'HIT', by: 'a' });

    const answer = await postInvalidate(b.server.base, TOKEN, { tags: ['posts'] });
    expect(answer.status).toBe(200);
    expect([...(answer.json as { invalidated: string[] }).invalidated].sort()).toEqual([...POSTS].sort());
    for (const path of POSTS) {
      expect(b.engine.renders(path)).toBe(1);
      // Acknowledged: neither instance serves the old render any more.
      for (const instance of [a, b]) {
        const page = await get(instance, path);
        expect([page.cache, page.by]).toEqual(['HIT', 'b']);
      }
    }
    expect(b.engine.renders('/')).toBe(0);
    expect((await get(b, '/')).cache).toBe('HIT');
  });

  it('a stale page is regenerated once for the whole fleet (cluster lock), both keep serving it', async () => {
    await get(a, '/slow');
    const entry = await a.cache.get('/slow');
    await a.cache.set({ ...entry!, createdAt: Date.now() - 60_000 });

    const since = [a.server.events.length, b.server.events.length];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => get(i % 2 === 0 ? a : b, '/slow')));
    for (const response of responses) expect([response.status, response.cache, renderNumber(response.body)]).toEqual([200, 'STALE', 1]);
    const isStore = (event: ISREvent): boolean => event.type === 'store' && event.key === '/slow';
    await Promise.race([a.server.waitForEvent(isStore, since[0]), b.server.waitForEvent(isStore, since[1])]);
    await Promise.all([a.server.isr.idle(), b.server.isr.idle()]);
    expect(a.engine.renders('/slow') + b.engine.renders('/slow') - 1).toBe(1);
    const stored = [...a.server.events.slice(since[0]), ...b.server.events.slice(since[1])].filter(isStore);
    expect(stored).toHaveLength(1);
    for (const instance of [a, b]) expect((await get(instance, '/slow')).cache).toBe('HIT');
  });

  it("clear() on one instance empties every master and the other instance's copies", async () => {
    for (const path of [...POSTS, '/']) await get(a, path);
    for (const path of POSTS) expect((await get(b, path)).cache).toBe('HIT');
    await a.cache.clear();
    for (const master of admin.masters) {
      const node = await admin.nodeClient(master);
      expect(await node.keys(`${prefix}*`)).toEqual([]);
    }
    await waitFor(async () => (await b.cache.get(POSTS[0]!)) === undefined, 5_000, "b's copies to go");
    expect((await get(b, POSTS[1]!)).cache).toBe('MISS');
  });
});

describe('a master of the cluster killed mid-traffic', () => {
  it('visitors keep getting 200 (never 5xx), and the fleet shares the cache again once the master is back, without a restart', async () => {
    const prefix = uniquePrefix('cluster-kill');
    const a = await startInstance('a', prefix, { commandTimeoutMs: 300 });
    const b = await startInstance('b', prefix, { commandTimeoutMs: 300 });
    try {
      for (const path of POSTS) await get(a, path);
      const killed = cluster.rootNodes.findIndex((url) => POSTS.some((path) => url.endsWith(`:${masterOf(prefix, path).split(':')[1]}`)));
      const killedAddress = cluster.rootNodes[killed]!.replace('redis://', '');
      const onKilled = POSTS.filter((path) => masterOf(prefix, path) === killedAddress);
      const elsewhere = POSTS.filter((path) => masterOf(prefix, path) !== killedAddress);
      expect([onKilled.length > 0, elsewhere.length > 0]).toEqual([true, true]);

      const statuses: Array<{ status: number; cache: string | null }> = [];
      let stop = false;
      const traffic = (async () => {
        for (let i = 0; !stop; i++) {
          const answers = await Promise.all(POSTS.map((path, j) => get((i + j) % 2 === 0 ? a : b, path)));
          statuses.push(...answers.map(({ status, cache }) => ({ status, cache })));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await cluster.kill(killed);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // past the 2 s node timeout
      // Pages on the other masters are still shared: a fresh instance reads them as HITs.
      const c = await startInstance('c', prefix, { commandTimeoutMs: 300 });
      try {
        for (const path of elsewhere) expect((await get(c, path)).cache).toBe('HIT');
        for (const path of onKilled) expect((await get(c, path)).status).toBe(200);
      } finally {
        await c.server.close();
      }
      await cluster.restart(killed);
      // The restarted master is empty (no persistence): a render stores the page again, and a
      // third instance then reads it from the cluster, without anyone restarting.
      await waitFor(
        async () => {
          await get(a, onKilled[0]!);
          return (await a.cache.get(onKilled[0]!).catch(() => undefined)) !== undefined;
        },
        20_000,
        'the page to be stored on the restarted master',
      );
      stop = true;
      await traffic;
      expect(statuses.length).toBeGreaterThan(POSTS.length * 3);
      expect(statuses.filter(({ status }) => status !== 200)).toEqual([]);
      expect(new Set(statuses.map(({ cache }) => cache))).toContain('HIT');
      const d = await startInstance('d', prefix, { commandTimeoutMs: 300 });
      try {
        expect((await get(d, onKilled[0]!)).cache).toBe('HIT');
      } finally {
        await d.server.close();
      }
      // One outage line per instance, and its end once the master answers again.
      for (const instance of [a, b]) {
        expect(instance.cacheLog.messages()).toEqual([
          expect.stringMatching(/^Redis cache unavailable/),
          'Redis cache connection restored',
        ]);
      }
    } finally {
      await a.cache.clear().catch(() => undefined);
      await a.server.close();
      await b.server.close();
    }
  });
});
