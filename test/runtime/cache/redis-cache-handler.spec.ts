import { createClient } from 'redis';
import { CapturingLogger } from '../../support/capturing-logger';
import { encodeEntry } from '../../../runtime/cache/entry-codec';
import { RedisCacheHandler, type RedisCacheHandlerOptions } from '../../../runtime/cache/redis-cache-handler';
import { RedisUnavailableError } from '../../../runtime/cache/redis-connection';
import { RedisKeyLayout } from '../../../runtime/cache/redis-key-layout';
import { describeCacheHandlerContract, expectSameEntry, makeEntry, waitFor } from './cache-handler.contract';
import { adminClient, CONTRACT_OPTIONS, startOwnRedis, testRedis, uniquePrefix, type TestRedis } from './support/redis-server';
jest.setTimeout(30_000); // waitFor deadlines here reach 5 s x 5 (memory layer test) and 10 s (reconnects), plus starting redis-server

let redis: TestRedis;
let admin: Awaited<ReturnType<typeof adminClient>>;
const handlers: RedisCacheHandler[] = [];

beforeAll(async () => {
  redis = await testRedis();
  admin = await adminClient(redis.url);
});
afterAll(async () => {
  await Promise.all(handlers.map((h) => h.close()));
  await admin.close();
  await redis.dispose();
});

function handler(options: Partial<RedisCacheHandlerOptions> = {}): RedisCacheHandler {
  const created = new RedisCacheHandler({ url: redis.url, keyPrefix: uniquePrefix('h'), logger: new CapturingLogger(), ...options });
  handlers.push(created);
  return created;
}

describeCacheHandlerContract('RedisCacheHandler', () => handler(CONTRACT_OPTIONS));
describeCacheHandlerContract('RedisCacheHandler with memory layer', () =>
  handler({ ...CONTRACT_OPTIONS, memoryLayer: { maxBytes: 1_000_000 } }),
);

describe('RedisCacheHandler', () => {
  it('validates its options', () => {
    expect(() => new RedisCacheHandler({})).toThrow(/url.*client/);
    expect(() => new RedisCacheHandler({ url: redis.url, keyPrefix: '' })).toThrow(/keyPrefix/);
    expect(() => new RedisCacheHandler({ url: redis.url, commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    expect(() => new RedisCacheHandler({ url: redis.url, ttlAfterStaleSeconds: -1 })).toThrow(/ttlAfterStaleSeconds/);
  });

  it('connects on first use, not in the constructor (ng build executes server.ts)', async () => {
    const name = `ng-isr-lazy-${Date.now()}`;
    const clientNamed = async (): Promise<boolean> => String(await admin.sendCommand(['CLIENT', 'LIST'])).includes(`name=${name}`);
    const cache = handler({ clientOptions: { name } });
    expect(await clientNamed()).toBe(false);
    expect(await cache.get('/x')).toBeUndefined();
    expect(await clientNamed()).toBe(true);
  });

  it('stores one binary blob per entry that expires ttlAfterStaleSeconds after going stale', async () => {
    const prefix = uniquePrefix('ttl');
    const keys = new RedisKeyLayout(prefix);
    const cache = handler({ keyPrefix: prefix, ttlAfterStaleSeconds: 20 });
    const entry = makeEntry('/ttl', { createdAt: Date.now(), revalidate: 10, tags: ['posts'] });
    await cache.set(entry);
    const raw = await admin.withTypeMapping({ 36: Buffer }).get(keys.entryKey('/ttl'));
    expect(Buffer.isBuffer(raw) && raw.equals(encodeEntry(entry))).toBe(true);
    const ttl = await admin.pTTL(keys.entryKey('/ttl'));
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    expect(await admin.pTTL(keys.entryTagsKey('/ttl'))).toBeGreaterThanOrEqual(ttl - 1_000);
    expect(await admin.pTTL(keys.tagKey('posts'))).toBeGreaterThanOrEqual(ttl - 1_000);

    await cache.set(makeEntry('/forever', { revalidate: 0, tags: ['posts'] }));
    expect(await admin.pTTL(keys.entryKey('/forever'))).toBe(-1);
    expect(await admin.pTTL(keys.tagKey('posts'))).toBe(-1); // outlives its longest-living member
  });

  it("answers a tag from its own set and its members' entries, dropping old members whose entry expired (no SCAN)", async () => {
    const prefix = uniquePrefix('tags');
    const keys = new RedisKeyLayout(prefix);
    const cache = handler({ keyPrefix: prefix });
    for (const key of ['/a', '/b', '/c']) await cache.set(makeEntry(key, { tags: ['posts'] }));
    await cache.set(makeEntry('/other', { tags: ['authors'] }));
    await admin.del(keys.entryKey('/b')); // as if it had expired

    const monitor = await adminClient(redis.url);
    const commands: string[] = [];
    await monitor.monitor((line) => {
      if (line.includes(prefix)) commands.push(line);
    });
    // A marker command tells us when MONITOR has seen everything before it.
    const marker = `${prefix}marker`;
    expect((await cache.keysByTag('posts')).sort()).toEqual(['/a', '/c']);
    await admin.get(marker);
    await waitFor(() => commands.some((line) => line.includes(marker)), 5_000, 'MONITOR marker');
    await monitor.destroy();

    const touched = new Set(
      commands.flatMap((line) => [...line.matchAll(new RegExp(`"(${escapeRegExp(prefix)}[^"]*)"`, 'g'))].map((m) => m[1])),
    );
    touched.delete(marker);
    const perKey = ['/a', '/b', '/c'].flatMap((key) => [keys.entryKey(key), keys.entryTagsKey(key)]);
    expect([...touched].sort()).toEqual([...perKey, keys.tagKey('posts')].sort());
    expect(commands.join('\n')).not.toMatch(/"(SCAN|KEYS)"/i);
    // A young member stays (it may belong to a write between its two steps); an old one goes.
    expect((await admin.zRange(keys.tagKey('posts'), 0, -1)).sort()).toEqual(['/a', '/b', '/c']);
    await admin.zAdd(keys.tagKey('posts'), { score: Date.now() - 120_000, value: '/b' }, { XX: true });
    expect((await cache.keysByTag('posts')).sort()).toEqual(['/a', '/c']);
    expect((await admin.zRange(keys.tagKey('posts'), 0, -1)).sort()).toEqual(['/a', '/c']);
  });

  it('a write that stopped between its two steps leaves nothing a tag answers, and is repaired later', async () => {
    const prefix = uniquePrefix('half');
    const keys = new RedisKeyLayout(prefix);
    const cache = handler({ keyPrefix: prefix });
    // Step 1 only (the tag set), as a crash right after it would leave it.
    await admin.zAdd(keys.tagKey('posts'), { score: Date.now() - 120_000, value: '/half' });
    await cache.set(makeEntry('/whole', { tags: ['posts'] }));
    expect(await cache.keysByTag('posts')).toEqual(['/whole']);
    expect(await admin.zRange(keys.tagKey('posts'), 0, -1)).toEqual(['/whole']);
  });

  it('keeps tag sets consistent when an entry is replaced or deleted', async () => {
    const prefix = uniquePrefix('consistent');
    const keys = new RedisKeyLayout(prefix);
    const cache = handler({ keyPrefix: prefix });
    await cache.set(makeEntry('/p', { tags: ['a', 'b'] }));
    await cache.set(makeEntry('/p', { tags: ['b', 'c'] }));
    expect(await cache.keysByTag('a')).toEqual([]);
    expect((await admin.sMembers(keys.entryTagsKey('/p'))).sort()).toEqual(['b', 'c']);
    await cache.delete('/p');
    expect([await cache.keysByTag('b'), await cache.keysByTag('c')]).toEqual([[], []]);
    // Only tag sets are left (they expire with their members, and readers prune them).
    const left = await admin.keys(`${prefix}*`);
    expect(left.sort()).toEqual([keys.tagKey('a'), keys.tagKey('b'), keys.tagKey('c')].sort());
  });

  it('removes a damaged blob and answers a miss', async () => {
    const prefix = uniquePrefix('damaged');
    const keys = new RedisKeyLayout(prefix);
    const logger = new CapturingLogger();
    // Without the in-process copy: the damage is written behind the handler's back (no message).
    const cache = handler({ keyPrefix: prefix, logger, memoryLayer: false });
    await cache.set(makeEntry('/d', { tags: ['t'] }));
    await admin.set(keys.entryKey('/d'), 'NISR garbage');
    expect(await cache.get('/d')).toBeUndefined();
    expect(await admin.exists(keys.entryKey('/d'))).toBe(0);
    expect(await cache.keysByTag('t')).toEqual([]);
    expect(logger.at('warn').join()).toMatch(/damaged/);
  });

  it('shares entries, tags and locks between two handlers on one prefix', async () => {
    const prefix = uniquePrefix('fleet');
    const a = handler({ keyPrefix: prefix });
    const b = handler({ keyPrefix: prefix });
    await a.set(makeEntry('/shared', { tags: ['posts'] }));
    expectSameEntry(await b.get('/shared'), makeEntry('/shared', { tags: ['posts'] }));
    expect(await b.keysByTag('posts')).toEqual(['/shared']);

    expect(await a.acquireLock('/shared', 30_000)).toBe(true);
    expect(await b.acquireLock('/shared', 30_000)).toBe(false);
    await b.releaseLock('/shared'); // not b's lock: must not free it
    expect(await b.acquireLock('/shared', 30_000)).toBe(false);
    await a.releaseLock('/shared');
    expect(await b.acquireLock('/shared', 30_000)).toBe(true);
    await b.releaseLock('/shared');
  });

  it('a lock that expired and was taken by another instance is not released by the first holder', async () => {
    const prefix = uniquePrefix('lock-expiry');
    const a = handler({ keyPrefix: prefix });
    const b = handler({ keyPrefix: prefix });
    expect(await a.acquireLock('/k', 100)).toBe(true);
    await waitFor(async () => await b.acquireLock('/k', 30_000), 5_000, 'lock expiry');
    await a.releaseLock('/k');
    const lockKey = new RedisKeyLayout(prefix).lockKey('/k');
    expect(await admin.exists(lockKey)).toBe(1);
    await b.releaseLock('/k');
    expect(await admin.exists(lockKey)).toBe(0);
  });

  it('memory layer: hot reads skip Redis, and writes elsewhere reach it through pub/sub', async () => {
    const prefix = uniquePrefix('coherent');
    const a = handler({ keyPrefix: prefix, memoryLayer: { maxBytes: 1_000_000 } });
    const b = handler({ keyPrefix: prefix, memoryLayer: { maxBytes: 1_000_000 } });
    // The layer is used once the subscription runs; until then reads go to Redis.
    await b.get('/warm-up');
    await waitFor(async () => (await subscribers(prefix)) >= 1, 5_000, 'subscription');
    await a.get('/warm-up');
    await waitFor(async () => (await subscribers(prefix)) >= 2, 5_000, 'subscriptions');

    await b.set(makeEntry('/m', { version: 1 }));
    expect((await a.get('/m'))?.headers['x-version']).toBe('1');
    // Removed behind the handlers' back (no message): b still answers from its memory layer.
    await admin.del(new RedisKeyLayout(prefix).entryKey('/m'));
    expect((await b.get('/m'))?.headers['x-version']).toBe('1');
    // The fast path's synchronous look: the copy's entry, and `undefined` (not `null`) for what only Redis can tell.
    expect(b.peek('/m')?.headers['x-version']).toBe('1');
    expect(b.peek('/never-read')).toBeUndefined();
    expect(handler({ keyPrefix: prefix, memoryLayer: false }).peek('/m')).toBeUndefined();

    await a.set(makeEntry('/m', { version: 2 }));
    await waitFor(async () => (await b.get('/m'))?.headers['x-version'] === '2', 5_000, 'b to see version 2');
    await a.delete('/m');
    await waitFor(async () => (await b.get('/m')) === undefined, 5_000, 'b to see the delete');
    expect(b.peek('/m')).toBeUndefined();
    await b.set(makeEntry('/n'));
    await a.clear();
    await waitFor(async () => (await b.get('/n')) === undefined, 5_000, 'b to see the clear');
  });

  it('accepts an app-made client and leaves it open on close', async () => {
    const client = createClient({ url: redis.url, disableOfflineQueue: true });
    client.on('error', () => undefined);
    const cache = new RedisCacheHandler({ client, keyPrefix: uniquePrefix('client') });
    await cache.set(makeEntry('/c'));
    expectSameEntry(await cache.get('/c'), makeEntry('/c'));
    await cache.clear();
    await cache.close();
    expect(client.isOpen).toBe(true);
    expect(await client.ping()).toBe('PONG');
    await client.close();
  });
});

describe('RedisCacheHandler during an outage', () => {
  let own: TestRedis;
  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(async () => {
    await own.dispose();
  });

  it('rejects at once while Redis is down, logs the outage once, and recovers when it is back', async () => {
    const logger = new CapturingLogger();
    const cache = new RedisCacheHandler({ url: own.url, keyPrefix: uniquePrefix('outage'), logger, commandTimeoutMs: 300 });
    handlers.push(cache);
    await cache.set(makeEntry('/before'));
    expect(await cache.get('/before')).toBeDefined();

    await own.stop();
    for (let i = 0; i < 20; i++) {
      await expect(cache.get('/before')).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(cache.set(makeEntry('/during'))).rejects.toBeInstanceOf(RedisUnavailableError);
    }
    await expect(cache.acquireLock('/before', 1_000)).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(logger.at('warn').filter((line) => /unavailable/.test(line))).toHaveLength(1);

    await own.start(); // empty again: no persistence
    await waitFor(
      async () =>
        await cache.get('/before').then(
          () => true,
          () => false,
        ),
      10_000,
      'reconnect',
    );
    expect(logger.at('info').filter((line) => /restored/.test(line))).toHaveLength(1);
    await cache.set(makeEntry('/after'));
    expectSameEntry(await cache.get('/after'), makeEntry('/after'));
  });

  it('a handler whose Redis was never reachable rejects fast and connects once it appears', async () => {
    const logger = new CapturingLogger();
    await own.stop();
    const cache = new RedisCacheHandler({ url: own.url, keyPrefix: uniquePrefix('late'), logger, commandTimeoutMs: 200 });
    handlers.push(cache);
    await expect(cache.get('/x')).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(cache.get('/x')).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(logger.at('warn')).toHaveLength(1);
    await own.start();
    await waitFor(
      async () =>
        await cache.get('/x').then(
          () => true,
          () => false,
        ),
      10_000,
      'first connection',
    );
  });
});

async function subscribers(prefix: string): Promise<number> {
  const reply = (await admin.sendCommand(['PUBSUB', 'NUMSUB', `${prefix}invalidate`])) as unknown[];
  return Number(reply[1]);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
