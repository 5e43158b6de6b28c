import { MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';
import type { CacheHandler } from '../../runtime/cache/cache-handler.js';
import { rawRequest, startServer, type TestServer } from './support/test-server.js';
import { TestEngine } from './support/test-engine.js';

/** Resolves once the engine has started rendering `path` (it counts a render when it starts). */
async function renderStarted(engine: TestEngine, path: string): Promise<void> {
  while (engine.renders(path) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** A memory tier that records when it is closed. */
function closingTier(): CacheHandler & { closedAt?: number } {
  const tier: CacheHandler & { closedAt?: number } = new MemoryCacheHandler();
  tier.close = async () => {
    tier.closedAt = Date.now();
  };
  return tier;
}

describe('isr.close({ timeoutMs })', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('waits for a render still running, then closes the tier', async () => {
    const engine = new TestEngine().route('/slow', { revalidate: 60, delayMs: 300 });
    const cache = closingTier();
    server = await startServer({ engine, cache });
    const answer = rawRequest(`${server.base}/slow`);
    await renderStarted(engine, '/slow');
    await server.isr.close({ timeoutMs: 10_000 });
    // The render finished and was stored before the tier closed.
    expect(server.events.filter((event) => event.type === 'store')).toHaveLength(1);
    expect(cache.closedAt).toBeDefined();
    expect((await answer).status).toBe(200);
    expect(server.logger.at('warn').filter((line) => line.startsWith('close:'))).toEqual([]);
  });

  it('stops waiting after timeoutMs for a hanging render, warns, and closes the tier anyway', async () => {
    const engine = new TestEngine().route('/hang', { revalidate: 60, mode: 'hang' });
    const cache = closingTier();
    server = await startServer({ engine, cache, renderTimeoutMs: 1_500 });
    const answer = rawRequest(`${server.base}/hang`).catch(() => undefined);
    await renderStarted(engine, '/hang');
    const started = Date.now();
    await server.isr.close({ timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cache.closedAt).toBeDefined();
    expect(server.logger.at('warn')).toContain(
      'close: 1 render(s) still running after 200 ms; closing the cache tier without waiting for them',
    );
    void answer;
  });

  it('refuses a bound that is not a finite number of milliseconds >= 0', async () => {
    server = await startServer({ engine: new TestEngine() });
    for (const timeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number]) {
      await expect(server.isr.close({ timeoutMs })).rejects.toThrow(/must be a finite number of milliseconds >= 0/);
    }
  });
});
