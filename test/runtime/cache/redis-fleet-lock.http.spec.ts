import { RedisCacheHandler } from '../../../runtime/cache/redis-cache-handler';
import { RedisKeyLayout } from '../../../runtime/cache/redis-key-layout';
import { CapturingLogger } from '../../support/capturing-logger';
import { GatedEngine } from '../support/gated-engine';
import { renderNumber } from '../support/test-engine';
import { startServer, type TestServer } from '../support/test-server';
import { adminClient, startOwnRedis, uniquePrefix, type TestRedis } from './support/redis-server';
jest.setTimeout(30_000);

/** A fleet lock TTL far below the render timeout: the bound under test is the TTL, not the timeout. */
const LOCK_TTL_MS = 1_000;
const RENDER_TIMEOUT_MS = 20_000;

interface Instance {
  server: TestServer;
  engine: GatedEngine;
  cache: RedisCacheHandler;
}

async function startInstance(url: string, keyPrefix: string): Promise<Instance> {
  const cache = new RedisCacheHandler({ url, keyPrefix, logger: new CapturingLogger() });
  const engine = new GatedEngine();
  engine.route('/page', { revalidate: 60, delayMs: 50 }).route('/slow', { revalidate: 60, delayMs: 4 * LOCK_TTL_MS });
  const server = await startServer({
    engine,
    cache,
    invalidateSecretToken: 't',
    renderTimeoutMs: RENDER_TIMEOUT_MS,
    fleetLockTtlMs: LOCK_TTL_MS,
  });
  return { server, engine, cache };
}

async function get(instance: Instance, path: string) {
  const started = Date.now();
  const response = await fetch(instance.server.base + path);
  return { cache: response.headers.get('x-isr-cache'), body: await response.text(), ms: Date.now() - started };
}

describe('fleet locks on a real private redis-server: short TTL, renewed while rendering', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(() => redis.dispose());

  /** Two instances on one fresh prefix for one test, closed after it. */
  async function withFleet(test: (a: Instance, b: Instance, prefix: string) => Promise<void>): Promise<void> {
    const prefix = uniquePrefix('fleet-lock');
    const [a, b] = [await startInstance(redis.url, prefix), await startInstance(redis.url, prefix)];
    try {
      await test(a, b, prefix);
    } finally {
      await b.cache.clear();
      await Promise.all([a.server.close(), b.server.close()]);
    }
  }

  it("a crashed holder's lock delays the fleet by one TTL, not by the render timeout", () =>
    withFleet(async (a, b, prefix) => {
      // a's render of /crash hangs for 6 s; b renders it in 50 ms.
      a.engine.route('/crash', { revalidate: 60, delayMs: 6_000 });
      b.engine.route('/crash', { revalidate: 60, delayMs: 50 });
      const admin = await adminClient(redis.url);
      try {
        const pending = fetch(`${a.server.base}/crash`).then(
          (response) => response.text(),
          () => '',
        );
        await a.engine.startedRenders('/crash');
        expect(await admin.exists(new RedisKeyLayout(prefix).lockKey('/crash'))).toBe(1);
        expect(await admin.pTTL(new RedisKeyLayout(prefix).lockKey('/crash'))).toBeLessThanOrEqual(LOCK_TTL_MS);
        // a "crashes": its Redis connection is gone, so it neither renews nor releases its lock.
        await a.cache.close();
        const answer = await get(b, '/crash');
        expect([answer.cache, renderNumber(answer.body)]).toEqual(['MISS', 1]);
        expect(b.engine.renders('/crash')).toBe(1);
        // At most one TTL of waiting plus one 50 ms render, far below the 20 s render timeout.
        expect(answer.ms).toBeLessThan(LOCK_TTL_MS + 2_500);
        await pending;
      } finally {
        await admin.quit();
      }
    }));

  it('a live holder renews its lock: a render four TTLs long is not rendered again by a waiter', () =>
    withFleet(async (a, b, prefix) => {
      const admin = await adminClient(redis.url);
      try {
        const first = get(a, '/slow');
        // The lock is taken before the render starts: wait for that event, not for a deadline.
        await a.engine.startedRenders('/slow');
        expect(await admin.exists(new RedisKeyLayout(prefix).lockKey('/slow'))).toBe(1);
        const second = await get(b, '/slow');
        const firstAnswer = await first;
        expect(firstAnswer.cache).toBe('MISS');
        // b waited for a's page (renewed lock) instead of taking the lock after one TTL and rendering.
        expect(['MISS', 'HIT']).toContain(second.cache);
        expect(renderNumber(second.body)).toBe(1);
        expect(second.ms).toBeGreaterThan(2 * LOCK_TTL_MS);
        expect(second.body).toBe(firstAnswer.body);
        expect(a.engine.renders('/slow') + b.engine.renders('/slow')).toBe(1);
        // The renewal timer stopped with the render and the lock was released.
        expect(await admin.exists(new RedisKeyLayout(prefix).lockKey('/slow'))).toBe(0);
      } finally {
        await admin.quit();
      }
    }));
});
