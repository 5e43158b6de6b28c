import { CapturingLogger } from '../../support/capturing-logger';
import { RedisCacheHandler, type RedisCacheHandlerOptions } from '../../../runtime/cache/redis-cache-handler';
import { RedisUnavailableError } from '../../../runtime/cache/redis-connection';
import { RedisKeyLayout } from '../../../runtime/cache/redis-key-layout';
import { TestEngine } from '../support/test-engine';
import { startServer } from '../support/test-server';
import { makeEntry, waitFor } from './cache-handler.contract';
import { startOwnRedis, uniquePrefix, type TestRedis } from './support/redis-server';
import { useRedisHandlers } from './support/redis-handlers';
jest.setTimeout(30_000);

const fleet = useRedisHandlers(startOwnRedis);
const handler = (options: Partial<RedisCacheHandlerOptions> = {}): RedisCacheHandler => fleet.handler(options);

/** A handler on a server of its own (stopped or paused by the test) with a 300 ms command deadline. */
function fastFailing(own: TestRedis, label: string, options: Partial<RedisCacheHandlerOptions> = {}): RedisCacheHandler {
  return new RedisCacheHandler({
    url: own.url,
    keyPrefix: uniquePrefix(label),
    logger: new CapturingLogger(),
    commandTimeoutMs: 300,
    ...options,
  });
}

async function version(cache: RedisCacheHandler, key: string): Promise<string | undefined> {
  return (await cache.get(key))?.headers['x-version'];
}

describe('RedisCacheHandler under faults (private redis-server)', () => {
  it('clear() removes keys past one page of SCAN (2,500 keys) and nothing outside its prefix', async () => {
    const prefix = uniquePrefix('clear');
    const cache = handler({ keyPrefix: prefix });
    await cache.set(makeEntry('/tagged', { tags: ['t'] }));
    const filler: string[] = [];
    for (let i = 0; i < 2_500; i++) filler.push(new RedisKeyLayout(prefix).entryKey(`/filler/${i}`), 'x');
    await fleet.admin.mSet(filler);
    await fleet.admin.set('outside-the-prefix', 'kept');
    await cache.clear();
    expect(await fleet.admin.keys(`${prefix}*`)).toEqual([]);
    expect(await fleet.admin.get('outside-the-prefix')).toBe('kept');
    await fleet.admin.del('outside-the-prefix');
  });

  it('memory layer: a lost subscription drops the copy, so a write missed meanwhile is never hidden', async () => {
    const prefix = uniquePrefix('sub-lost');
    const a = handler({ keyPrefix: prefix, memoryLayer: { maxBytes: 1_000_000 } });
    const b = handler({ keyPrefix: prefix });
    await b.set(makeEntry('/k', { version: 1 }));
    // Wait until a serves /k from its layer (its subscription runs).
    await a.get('/k');
    await waitFor(async () => (await a.get('/k')) === (await a.get('/k')), 5_000, 'a to keep /k in its layer');
    // The subscriber connection drops ('error'/'end'); the message for v2 is published while it is gone.
    await fleet.admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await b.set(makeEntry('/k', { version: 2 }));
    // After 'ready' the layer starts empty: a reads v2 from Redis, never its old copy.
    await waitFor(async () => (await version(a, '/k')) === '2', 5_000, 'a to see v2');
    expect(await version(a, '/k')).toBe('2');
  });

  it('memory layer: the max-age safety net drops a copy whose invalidation message never came', async () => {
    const prefix = uniquePrefix('max-age');
    const a = handler({ keyPrefix: prefix, memoryLayer: { maxBytes: 1_000_000, maxAgeMs: 300 } });
    const b = handler({ keyPrefix: prefix });
    await b.set(makeEntry('/k', { version: 1 }));
    await waitFor(async () => (await a.get('/k')) === (await a.get('/k')), 5_000, 'a to keep /k in its layer');
    // Written behind the handlers' back: no pub/sub message.
    const { encodeEntry } = await import('../../../runtime/cache/entry-codec');
    await fleet.admin.set(Buffer.from(new RedisKeyLayout(prefix).entryKey('/k')), encodeEntry(makeEntry('/k', { version: 2 })));
    expect(await version(a, '/k')).toBe('1'); // still the in-process copy
    await waitFor(async () => (await version(a, '/k')) === '2', 5_000, 'the copy to age out');
  });

  it('memory layer on: an outage drops the copy and every read rejects fast; reads work again after', async () => {
    const own = await startOwnRedis();
    const cache = fastFailing(own, 'out', { memoryLayer: { maxBytes: 1_000_000 } });
    try {
      await cache.set(makeEntry('/k', { version: 1 }));
      await waitFor(async () => (await cache.get('/k')) === (await cache.get('/k')), 5_000, 'the layer to hold /k');
      await own.stop();
      await waitFor(async () => (await cache.get('/k').catch(() => 'rejected')) === 'rejected', 5_000, 'the layer to drop /k');
      const started = Date.now();
      await expect(cache.get('/k')).rejects.toBeInstanceOf(RedisUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_000);
      await own.start();
      await waitFor(async () => (await cache.get('/k').catch(() => 'rejected')) === undefined, 10_000, 'reads after restart');
    } finally {
      await cache.close();
      await own.dispose();
    }
  });

  it('a slow but connected Redis (SIGSTOP): pages are answered from the in-process copy within the command deadline, and HIT again after SIGCONT', async () => {
    const own = await startOwnRedis();
    const cache = fastFailing(own, 'slow');
    const engine = new TestEngine().route('/p', { revalidate: 60 });
    const server = await startServer({ engine, cache, invalidateSecretToken: 't' });
    const get = async () => {
      const started = Date.now();
      const response = await fetch(`${server.base}/p`);
      return { status: response.status, cache: response.headers.get('x-isr-cache'), ms: Date.now() - started, body: await response.text() };
    };
    try {
      expect((await get()).cache).toBe('MISS');
      expect((await get()).cache).toBe('HIT');
      own.signal?.('SIGSTOP');
      const during = await Promise.all(Array.from({ length: 5 }, get));
      for (const answer of during) {
        // The page served a moment ago is kept in the handler's outage copy: no render, no error.
        expect([answer.status, answer.cache]).toEqual([200, 'HIT']);
        expect(answer.body).toContain('/p render #1');
        // get (300 ms deadline) + render + lock/set attempts, each bounded by the deadline; never a hang.
        expect(answer.ms).toBeLessThan(2_500);
      }
      own.signal?.('SIGCONT');
      await waitFor(async () => (await get()).cache === 'HIT', 10_000, 'HIT after SIGCONT');
    } finally {
      own.signal?.('SIGCONT');
      await server.close();
      await cache.close();
      await own.dispose();
    }
  });
});
