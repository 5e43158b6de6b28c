import type { ISREvent } from '../../runtime/render/isr-events.js';
import { TestClock } from './support/test-clock.js';
import { renderNumber, TestEngine } from './support/test-engine.js';
import { startServer, type TestServer } from './support/test-server.js';

async function get(server: TestServer, path: string) {
  const response = await fetch(server.base + path);
  return {
    status: response.status,
    cache: response.headers.get('x-isr-cache'),
    retryAfter: response.headers.get('retry-after'),
    cacheControl: response.headers.get('cache-control'),
    body: await response.text(),
  };
}

/** Polls a condition the handler reaches through real I/O (no fixed sleep). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const isRender = (key: string) => (event: ISREvent) => event.type === 'render' && event.key === key;

describe('ISRHandler under load (render budget, timeouts, back-off)', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    engine?.unstick();
    await server?.close();
  });

  async function start(extra: Partial<Parameters<typeof startServer>[0]> = {}) {
    engine = new TestEngine();
    server = await startServer({ engine, invalidateSecretToken: 's3cret', ...extra });
    return server;
  }

  it('runs at most maxConcurrentRenders, queues maxQueuedRenders and answers the rest 503 + Retry-After', async () => {
    await start({ maxConcurrentRenders: 2, maxQueuedRenders: 3, renderTimeoutMs: 60_000 });
    const paths = Array.from({ length: 20 }, (_, i) => `/cold/${i}`);
    paths.forEach((path) => engine.route(path, { revalidate: 60, mode: 'stuck' }));
    const refused: Array<Awaited<ReturnType<typeof get>>> = [];
    const pending = paths.map((path) => get(server, path).then((r) => (r.status === 503 && refused.push(r), r)));
    // Two renders hold the slots, three wait: every other request is refused at once.
    await until(() => refused.length === 15 && engine.inFlight === 2);
    expect(refused.every((r) => r.retryAfter === '1' && r.cache === 'BYPASS' && r.cacheControl === 'no-store')).toBe(true);
    paths.forEach((path) => engine.route(path, { revalidate: 60 }));
    engine.unstick();
    const statuses = (await Promise.all(pending)).map((r) => r.status);
    expect([200, 500, 503].map((status) => statuses.filter((s) => s === status).length)).toEqual([3, 2, 15]);
    expect([engine.peakInFlight, engine.renders()]).toEqual([2, 5]);
    // Nothing refused was stored or lost: a later request renders it.
    const refusedPath = paths.find((_, i) => statuses[i] === 503) as string;
    expect((await get(server, refusedPath)).status).toBe(200);
  });

  it('counts bypass renders against the budget too', async () => {
    await start({ maxConcurrentRenders: 1, maxQueuedRenders: 0, renderTimeoutMs: 60_000 });
    engine.route('/plain', { mode: 'stuck' });
    const first = get(server, '/plain?x=1');
    await until(() => engine.inFlight === 1);
    const others = await Promise.all(Array.from({ length: 3 }, () => get(server, '/plain?x=2')));
    expect(others.map((r) => [r.status, r.cache])).toEqual(Array(3).fill([503, 'BYPASS']));
    engine.unstick();
    expect((await first).status).toBe(500);
  });

  it('serves a stale page as it is, starting no regeneration, while the budget is full', async () => {
    const clock = new TestClock();
    await start({ maxConcurrentRenders: 1, maxQueuedRenders: 0, renderTimeoutMs: 60_000, now: clock.now });
    engine.route('/page', { revalidate: 60 });
    engine.route('/slow', { revalidate: 60, mode: 'stuck' });
    await get(server, '/page');
    clock.advance(60_000);
    const slow = get(server, '/slow');
    await server.waitForEvent((event) => event.type === 'render' && event.key === '/page');
    await until(() => engine.inFlight === 1);
    const stale = await get(server, '/page');
    expect([stale.status, stale.cache, renderNumber(stale.body)]).toEqual([200, 'STALE', 1]);
    expect(engine.renders('/page')).toBe(1);
    engine.unstick();
    expect((await slow).status).toBe(500);
    // With the budget free again the next request regenerates.
    expect((await get(server, '/page')).cache).toBe('STALE');
    await server.waitForEvent((event) => event.type === 'regeneration' && event.key === '/page');
    expect(engine.renders('/page')).toBe(2);
  });

  it('aborts the engine at the timeout; the render then stops', async () => {
    await start({ renderTimeoutMs: 50 });
    engine.route('/hang', { revalidate: 60, mode: 'hang' });
    expect((await get(server, '/hang')).status).toBe(500);
    const [request] = engine.requests;
    expect(request.signal.aborted).toBe(true);
    expect(engine.inFlight).toBe(0);
  });

  it('backs a timed-out key off for visitors: one hung render, fast 503s, the budget slot held until it really ends', async () => {
    const clock = new TestClock();
    await start({ renderTimeoutMs: 50, retry: { initialDelayMs: 10_000 }, maxConcurrentRenders: 4, now: clock.now });
    engine.route('/stuck', { revalidate: 60, mode: 'stuck' });
    engine.route('/other', { revalidate: 60 });
    // The first visitor waits the timeout (500, the app's error handler); the render goes on.
    expect((await get(server, '/stuck')).status).toBe(500);
    expect(engine.inFlight).toBe(1);
    // Every following request, concurrent or not, gets a fast 503 and starts nothing.
    const following = await Promise.all(Array.from({ length: 30 }, () => get(server, '/stuck')));
    expect(following.every((r) => r.status === 503 && r.retryAfter === '10')).toBe(true);
    expect(engine.renders('/stuck')).toBe(1);
    // The back-off has passed, but the abandoned render still runs: still no second render.
    clock.advance(10_000);
    expect((await get(server, '/stuck')).status).toBe(503);
    expect(engine.renders('/stuck')).toBe(1);
    // Other pages render meanwhile; the hung render still holds its slot.
    expect((await get(server, '/other')).status).toBe(200);
    engine.unstick();
    await until(() => engine.inFlight === 0);
    engine.route('/stuck', { revalidate: 60 });
    const since = server.events.length;
    expect((await get(server, '/stuck')).cache).toBe('MISS');
    await server.waitForEvent(isRender('/stuck'), since);
    expect(engine.renders('/stuck')).toBe(2);
  });

  it('keeps hung renders that ignore the abort within the budget', async () => {
    await start({ renderTimeoutMs: 30, maxConcurrentRenders: 3, maxQueuedRenders: 0 });
    for (let i = 0; i < 10; i++) {
      engine.route(`/hung/${i}`, { revalidate: 60, mode: 'stuck' });
    }
    const responses = [];
    for (let i = 0; i < 10; i++) {
      responses.push(await get(server, `/hung/${i}`));
    }
    expect(responses.map((r) => r.status)).toEqual([500, 500, 500, 503, 503, 503, 503, 503, 503, 503]);
    expect([engine.inFlight, engine.peakInFlight]).toEqual([3, 3]);
  });
});
