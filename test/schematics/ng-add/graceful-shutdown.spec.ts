// The graceful shutdown `ng add` writes into server.ts, run for real: a Node process with an Express
// server wired exactly like the generated lines (cut out of the golden file), the package's built
// ISRHandler, a slow engine and the filesystem or Redis tier. SIGTERM lands during a burst of cold
// renders and a background regeneration. Requires `npm run build` (dist/runtime).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileSystemCacheHandler } from '../../../runtime/cache/filesystem-cache-handler';
import { RedisCacheHandler } from '../../../runtime/cache/redis-cache-handler';
import type { CacheHandler } from '../../../runtime/cache/cache-handler';
import { storageKey } from '../../../runtime/render/entry-namespace';
import { freePort } from '../../support/free-port';
import { adminClient, startOwnRedis, uniquePrefix, type TestRedis } from '../../runtime/cache/support/redis-server';
import { generatedShutdownBlocks, get, startShutdownApp, writeShutdownApp, type ShutdownChild } from './support/shutdown-app';

jest.setTimeout(60_000);

const BURST = 12;
const SHUTDOWN_TIMEOUT_MS = 10_000;
// .cache/ is made by whichever spec runs first: on a clean clone this one may be first.
const cacheDir = resolve(__dirname, '../../../.cache');
mkdirSync(cacheDir, { recursive: true });
const work = mkdtempSync(join(cacheDir, 'shutdown-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The scenario: /stale is cached, then found STALE (a 1.5 s background regeneration starts), then
 * BURST cold pages are requested (0.8 s renders); once every render runs, SIGTERM. Returns the
 * answers, how long the exit took, and the exit itself.
 */
async function drainDuringRenders(app: ShutdownChild) {
  expect(await get(app.base, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
  expect(await get(app.base, '/stale')).toMatchObject({ status: 200, cache: 'MISS' });
  // revalidate is 1 s: any later request finds it stale (a longer wait only makes that surer).
  await new Promise((r) => setTimeout(r, 1_100));
  expect(await get(app.base, '/stale')).toMatchObject({ status: 200, cache: 'STALE' });
  await app.waitForLines(/^render-start \/stale background$/, 1);
  const paths = Array.from({ length: BURST }, (_, i) => `/page-${i}`);
  const answers = Promise.all(paths.map((path) => get(app.base, path)));
  await app.waitForLines(/^render-start \/page-\d+$/, BURST);
  const signalledAt = Date.now();
  app.child.kill('SIGTERM');
  // Stopped accepting: a new connection is refused while the renders in flight finish.
  await new Promise((r) => setTimeout(r, 200));
  const late = await get(app.base, '/page-late');
  return { paths, answers: await answers, late, exit: await app.exited, signalledAt };
}

function expectDrained(result: Awaited<ReturnType<typeof drainDuringRenders>>): void {
  for (const [i, answer] of result.answers.entries()) {
    expect({ ...answer, body: undefined }).toMatchObject({ status: 200, cache: 'MISS' });
    expect((answer as { body: string }).body.slice(0, 90)).toContain(`/page-${i} render #`);
  }
  expect(result.late).toEqual({ error: 'ECONNREFUSED' });
  expect(result.exit).toMatchObject({ code: 0, signal: null });
  expect(result.exit.at - result.signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
}

/** The app's entries are namespaced by its build id (`buildId: 'shutdown-test'` in support/shutdown-app.ts). */
const stored = (path: string) => storageKey(path, 'shutdown-test');

/** Every page was stored whole, and the background regeneration of /stale landed before the exit. */
async function expectStored(cache: CacheHandler, paths: string[]): Promise<void> {
  for (const path of paths) {
    const body = (await cache.get(stored(path)))?.body.toString() ?? '';
    // The head and the tail (the pages are large: no 300 kB strings in a failure message).
    expect({ head: body.slice(0, 90), tail: body.slice(-20) }).toEqual({
      head: expect.stringContaining(`${path} render #`),
      tail: expect.stringMatching(/<\/html>$/),
    });
  }
  // render #1 was the first /stale, #2 its regeneration (the cold pages came after).
  expect((await cache.get(stored('/stale')))?.body.toString().slice(0, 90)).toContain('/stale render #2');
}

describe('the graceful shutdown ng add writes (a real process)', () => {
  const file = writeShutdownApp(join(work, 'generated'), generatedShutdownBlocks());

  it('filesystem tier: answers every accepted request, finishes the regeneration, writes every entry whole, exits 0 in the bound', async () => {
    const directory = join(work, 'fs-cache');
    const app = await startShutdownApp(file, await freePort(), { CACHE_DIR: directory });
    const result = await drainDuringRenders(app);
    expectDrained(result);
    const names = readdirSync(directory);
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Every file in the folder decodes: a fresh handler loads each one (a corrupt file would be dropped).
    const cache = new FileSystemCacheHandler({ directory, memoryLayer: false });
    try {
      await expectStored(cache, result.paths);
      expect(names.filter((name) => name.endsWith('.isr'))).toHaveLength(BURST + 1);
    } finally {
      await cache.close();
    }
  });

  describe('Redis tier (private redis-server)', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startOwnRedis();
    });
    afterAll(async () => {
      await redis?.dispose();
    });

    it('releases every fleet lock, stores every page, closes the connection and exits 0 in the bound', async () => {
      const keyPrefix = uniquePrefix('shutdown');
      const app = await startShutdownApp(file, await freePort(), { REDIS_URL: redis.url, KEY_PREFIX: keyPrefix });
      const result = await drainDuringRenders(app);
      expectDrained(result);
      const admin = await adminClient(redis.url);
      const cache = new RedisCacheHandler({ url: redis.url, keyPrefix });
      try {
        // Key names as RedisKeyLayout writes them: `<prefix>{<bucket>}l:<key>` (locks), `e:` (entries).
        expect(await admin.keys(`${keyPrefix}{*}l:*`)).toEqual([]);
        expect(await admin.keys(`${keyPrefix}{*}e:*`)).toHaveLength(BURST + 1);
        await expectStored(cache, result.paths);
      } finally {
        await cache.close();
        await admin.quit();
      }
    });
  });

  it('a second SIGTERM exits at once, without waiting for the render in flight', async () => {
    const app = await startShutdownApp(file, await freePort(), { CACHE_DIR: join(work, 'fs-twice') });
    const answer = get(app.base, '/hang');
    await app.waitForLines(/^render-start \/hang$/, 1);
    app.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Still draining: the render hangs for 60 s, the bound is 10 s.
    expect(app.child.exitCode).toBeNull();
    const secondAt = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.at - secondAt).toBeLessThan(2_000);
    expect(await answer).toHaveProperty('error');
  });
});
