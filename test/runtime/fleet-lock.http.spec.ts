import { MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';
import { renderNumber, TestEngine } from './support/test-engine.js';
import { startServer, type TestServer } from './support/test-server.js';

/** A memory tier shared by two handlers, with the optional fleet lock a shared tier (Redis) offers. */
class LockingMemoryCache extends MemoryCacheHandler {
  readonly locks = new Map<string, number>();
  acquisitions = 0;

  async acquireLock(key: string, ttlMs: number): Promise<boolean> {
    const until = this.locks.get(key);
    if (until !== undefined && until > Date.now()) {
      return false;
    }
    this.acquisitions++;
    this.locks.set(key, Date.now() + ttlMs);
    return true;
  }

  async releaseLock(key: string): Promise<void> {
    this.locks.delete(key);
  }
}

describe('two handlers sharing a tier with a fleet lock', () => {
  let a: TestServer;
  let b: TestServer;
  let engineA: TestEngine;
  let engineB: TestEngine;
  let cache: LockingMemoryCache;

  beforeEach(async () => {
    cache = new LockingMemoryCache();
    engineA = new TestEngine();
    engineB = new TestEngine();
    for (const engine of [engineA, engineB]) {
      engine.route('/cold', { revalidate: 60, delayMs: 80 }).route('/plain', { delayMs: 40 });
    }
    a = await startServer({ engine: engineA, cache, invalidateSecretToken: 't' });
    b = await startServer({ engine: engineB, cache, invalidateSecretToken: 't' });
  });

  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('renders a cold page once for concurrent requests on both instances', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await fetch(`${(i % 2 === 0 ? a : b).base}/cold`);
        return { status: response.status, cache: response.headers.get('x-isr-cache'), body: await response.text() };
      }),
    );
    expect(engineA.renders('/cold') + engineB.renders('/cold')).toBe(1);
    expect(responses.every((r) => r.status === 200 && renderNumber(r.body) === 1)).toBe(true);
    expect(responses.every((r) => r.cache === 'MISS' || r.cache === 'HIT')).toBe(true);
    expect(cache.locks.size).toBe(0);
  });

  it('lets the waiting instance render itself when the lock holder stored nothing', async () => {
    const responses = await Promise.all([fetch(`${a.base}/plain`), fetch(`${b.base}/plain`)]);
    expect(responses.map((r) => [r.status, r.headers.get('x-isr-cache')])).toEqual([
      [200, 'BYPASS'],
      [200, 'BYPASS'],
    ]);
    // Each: the key's synthetic render (not stored), then the visitor's own request.
    expect([engineA.renders('/plain'), engineB.renders('/plain')]).toEqual([2, 2]);
    // Each instance rendered under its own turn of the lock: the waiter took it after the holder.
    expect(cache.acquisitions).toBe(2);
    expect(cache.locks.size).toBe(0);
  });
});
