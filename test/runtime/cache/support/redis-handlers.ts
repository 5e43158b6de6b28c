import { CapturingLogger } from '../../../support/capturing-logger';
import { RedisCacheHandler, type RedisCacheHandlerOptions } from '../../../../runtime/cache/redis-cache-handler';
import { adminClient, uniquePrefix, type TestRedis } from './redis-server';

/** A Redis for one spec file, an admin client on it, and handlers that are closed after the file. */
export interface RedisHandlers {
  readonly redis: TestRedis;
  readonly admin: Awaited<ReturnType<typeof adminClient>>;
  /** A handler on its own key prefix unless `options.keyPrefix` says otherwise. */
  handler(options?: Partial<RedisCacheHandlerOptions>): RedisCacheHandler;
}

/** Starts `start()` before the spec's tests and tears everything down after them (call at top level). */
export function useRedisHandlers(start: () => Promise<TestRedis>): RedisHandlers {
  const created: RedisCacheHandler[] = [];
  let redis: TestRedis | undefined;
  let admin: RedisHandlers['admin'] | undefined;
  beforeAll(async () => {
    redis = await start();
    admin = await adminClient(redis.url);
  });
  afterAll(async () => {
    await Promise.all(created.map((h) => h.close()));
    await admin?.close();
    await redis?.dispose();
  });
  return {
    get redis() {
      if (!redis) throw new Error('Redis is not started yet (use it inside a test)');
      return redis;
    },
    get admin() {
      if (!admin) throw new Error('Redis is not started yet (use it inside a test)');
      return admin;
    },
    handler(options = {}) {
      const handler = new RedisCacheHandler({
        url: this.redis.url,
        keyPrefix: uniquePrefix('h'),
        logger: new CapturingLogger(),
        ...options,
      });
      created.push(handler);
      return handler;
    },
  };
}
