import { createCluster } from 'redis';
import { CapturingLogger } from '../../support/capturing-logger';
import { RedisCacheHandler, type RedisCacheHandlerOptions } from '../../../runtime/cache/redis-cache-handler';
import { describeCacheHandlerContract, expectSameEntry, makeEntry } from './cache-handler.contract';
import { startOwnRedisCluster, type TestRedisCluster } from './support/redis-cluster';
import { CONTRACT_OPTIONS, uniquePrefix } from './support/redis-server';
jest.setTimeout(30_000);

let cluster: TestRedisCluster;
const handlers: RedisCacheHandler[] = [];

beforeAll(async () => {
  cluster = await startOwnRedisCluster();
});
afterAll(async () => {
  await Promise.all(handlers.map((h) => h.close()));
  await cluster?.dispose();
});

function handler(options: Partial<RedisCacheHandlerOptions> = {}): RedisCacheHandler {
  const created = new RedisCacheHandler({
    cluster: { rootNodes: cluster.rootNodes },
    keyPrefix: uniquePrefix('cluster'),
    logger: new CapturingLogger(),
    ...options,
  });
  handlers.push(created);
  return created;
}

describeCacheHandlerContract('RedisCacheHandler on a 3-master Redis Cluster', () => handler(CONTRACT_OPTIONS));
describeCacheHandlerContract('RedisCacheHandler on a 3-master Redis Cluster, memory layer off', () =>
  handler({ ...CONTRACT_OPTIONS, memoryLayer: false }),
);

describe('RedisCacheHandler on a Redis Cluster', () => {
  it('accepts an app-made createCluster() client and leaves it open on close', async () => {
    const client = createCluster({ rootNodes: cluster.rootNodes.map((url) => ({ url })), defaults: { disableOfflineQueue: true } });
    client.on('error', () => undefined);
    const cache = new RedisCacheHandler({ client, keyPrefix: uniquePrefix('client'), logger: new CapturingLogger() });
    await cache.set(makeEntry('/c', { tags: ['t'] }));
    expectSameEntry(await cache.get('/c'), makeEntry('/c', { tags: ['t'] }));
    expect(await cache.keysByTag('t')).toEqual(['/c']);
    await cache.clear();
    await cache.close();
    expect(client.isOpen).toBe(true);
    await client.close();
  });
});
