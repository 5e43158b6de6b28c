import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startServer, type AppServer } from '../../../scripts/lib/app-server';
import { buildApp, findPageComponent, outputDir } from '../../../scripts/lib/isr-app';
import { cacheRoot } from '../../../scripts/lib/toolchain';
import { testRedis, uniquePrefix, type TestRedis } from '../../runtime/cache/support/redis-server';
import { CACHE_DIR_ENV, REDIS_PREFIX_ENV, REDIS_URL_ENV } from './app-additions';
import { postInvalidate, renderedAt, request, type Answer } from './http';
import { SHARED, TAGGED, TIMED, log, type PreparedApp } from './prepared-app';

const ALLOWED_HOSTS = '127.0.0.1,localhost';

/** The title of the timed page's component (also shown on /shared and /tagged). */
const title = (html: string): string => /id="page-title"[^>]*>([^<]+)</.exec(html)?.[1] ?? '';

/**
 * The filesystem and Redis tiers with more than one server process of the built app, tag
 * invalidation across them, and a redeploy (a second `ng build` whose pages differ) on the same
 * tier. Runs after the main checks (their servers are stopped by then).
 *
 * The filesystem tier is one process per folder (its index lives in the process, documented in
 * docs/cache-tiers.md): its instances take turns on the folder, each starting from what the
 * previous one stored. Redis instances run side by side.
 */
export function describeCacheTiers(context: () => { app: PreparedApp; token: string }): void {
  describe('cache tiers: filesystem and Redis with two instances, tags, a redeploy', () => {
    let redis: TestRedis;
    let folder: string;
    const prefix = uniquePrefix('e2e');
    const running = new Set<AppServer>();

    beforeAll(async () => {
      redis = await testRedis();
      folder = mkdtempSync(join(cacheRoot(), 'fs-tier-'));
    }, 60_000);

    afterAll(async () => {
      await Promise.all([...running].map((server) => server.stop()));
      await redis?.dispose();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    /** Starts `entry` (default: the main build) on a tier. */
    async function start(tier: 'fs' | 'redis', entry = context().app.entry): Promise<AppServer> {
      const { app, token } = context();
      const tierEnv = tier === 'fs' ? { [CACHE_DIR_ENV]: folder } : { [REDIS_URL_ENV]: redis.url, [REDIS_PREFIX_ENV]: prefix };
      const server = await startServer(entry, {
        nodeBin: app.nodeBin,
        env: { ...app.env, NG_ALLOWED_HOSTS: ALLOWED_HOSTS, ISR_INVALIDATE_TOKEN: token, ...tierEnv },
      });
      running.add(server);
      return server;
    }

    async function stop(server: AppServer): Promise<void> {
      running.delete(server);
      await server.stop();
      // The server drains and closes its tier on SIGTERM (the ng add wiring): a clean exit.
      expect(await server.exited).toEqual({ code: 0, signal: null });
    }

    const get = (server: AppServer, path: string): Promise<Answer> => request(`${server.url}/${path}`);
    const invalidate = (server: AppServer, body: Record<string, unknown>) =>
      postInvalidate(server.url, { token: context().token, ...body });
    /** [x-isr-cache, render time] of an answer. */
    const seen = (answer: Answer): [string | null, string] => [answer.cache, renderedAt(answer.body)];

    describe('filesystem tier: instances taking turns on one folder', () => {
      it('the next instance serves what the previous stored; its URL and tag invalidations reach the one after', async () => {
        const first = await start('fs');
        const shared = await get(first, SHARED.path);
        const tagged = await get(first, TAGGED.path);
        expect([shared.cache, tagged.cache]).toEqual(['MISS', 'MISS']);
        expect(seen(await get(first, SHARED.path))).toEqual(['HIT', renderedAt(shared.body)]);
        await stop(first);

        const second = await start('fs');
        expect(seen(await get(second, SHARED.path))).toEqual(['HIT', renderedAt(shared.body)]);
        expect(seen(await get(second, TAGGED.path))).toEqual(['HIT', renderedAt(tagged.body)]);
        const byUrl = await invalidate(second, { urlsToInvalidate: [`/${SHARED.path}`] });
        const byTag = await invalidate(second, { tags: [TAGGED.tag] });
        expect([byUrl.status, byUrl.json['invalidated'], byTag.status, byTag.json['invalidated']]).toEqual([
          200,
          [`/${SHARED.path}`],
          200,
          [expect.stringMatching(new RegExp(`/${TAGGED.path}$`))],
        ]);
        const sharedAgain = await get(second, SHARED.path);
        const taggedAgain = await get(second, TAGGED.path);
        expect([sharedAgain.cache, taggedAgain.cache]).toEqual(['HIT', 'HIT']);
        expect(renderedAt(sharedAgain.body)).not.toBe(renderedAt(shared.body));
        expect(renderedAt(taggedAgain.body)).not.toBe(renderedAt(tagged.body));
        await stop(second);

        const third = await start('fs');
        expect(seen(await get(third, SHARED.path))).toEqual(['HIT', renderedAt(sharedAgain.body)]);
        expect(seen(await get(third, TAGGED.path))).toEqual(['HIT', renderedAt(taggedAgain.body)]);
        await stop(third);
      });
    });

    describe('Redis tier: two instances side by side on one key prefix', () => {
      let one: AppServer;
      let two: AppServer;

      beforeAll(async () => {
        [one, two] = await Promise.all([start('redis'), start('redis')]);
      }, 120_000);

      afterAll(async () => {
        await Promise.all([one, two].filter(Boolean).map(stop));
      });

      it('a page rendered by one instance is a HIT on the other', async () => {
        const rendered = await get(one, SHARED.path);
        expect(rendered.cache).toBe('MISS');
        expect(seen(await get(two, SHARED.path))).toEqual(['HIT', renderedAt(rendered.body)]);
        expect(seen(await get(one, SHARED.path))).toEqual(['HIT', renderedAt(rendered.body)]);
      });

      it('an invalidation on one instance is seen by the other', async () => {
        const before = renderedAt((await get(one, SHARED.path)).body);
        const answer = await invalidate(two, { urlsToInvalidate: [`/${SHARED.path}`] });
        expect([answer.status, answer.json['invalidated']]).toEqual([200, [`/${SHARED.path}`]]);
        const onOne = await get(one, SHARED.path);
        expect(onOne.cache).toBe('HIT');
        expect(renderedAt(onOne.body)).not.toBe(before);
        expect(seen(await get(two, SHARED.path))).toEqual(['HIT', renderedAt(onOne.body)]);
      });

      it('data.isrTags: a tag invalidation on one instance regenerates the page the other stored', async () => {
        const rendered = await get(two, TAGGED.path);
        expect(rendered.cache).toBe('MISS');
        expect(seen(await get(one, TAGGED.path))).toEqual(['HIT', renderedAt(rendered.body)]);
        const answer = await invalidate(one, { tags: [TAGGED.tag] });
        expect([answer.status, answer.json['invalidated']]).toEqual([200, [expect.stringMatching(new RegExp(`/${TAGGED.path}$`))]]);
        const onTwo = await get(two, TAGGED.path);
        expect(onTwo.cache).toBe('HIT');
        expect(renderedAt(onTwo.body)).not.toBe(renderedAt(rendered.body));
      });
    });

    describe('a redeploy: a second build on the same tiers', () => {
      /** The first build, copied aside before `ng build` replaces it (its build id is derived from its files). */
      let previousEntry: string;
      let firstTitle: string;
      let secondTitle: string;

      beforeAll(async () => {
        const { app } = context();
        const started = Date.now();
        const dist = outputDir(app.dir, app.spec.name);
        const previousDist = `${dist}-build-1`;
        rmSync(previousDist, { recursive: true, force: true });
        if (spawnSync('cp', ['-a', dist, previousDist]).status !== 0) throw new Error(`cannot copy ${dist}`);
        previousEntry = join(previousDist, relative(dist, app.entry));
        // A visible change in a page: the browser bundle, and so the build id, changes with it.
        secondTitle = `Timed page (build ${started})`;
        const { file } = findPageComponent(app.dir, TIMED.path);
        const source = readFileSync(file, 'utf8');
        firstTitle = title(source);
        writeFileSync(file, source.replace(/(<h1 id="page-title">)[^<]*(<\/h1>)/, `$1${secondTitle}$2`));
        expect(await buildApp(app.dir, app.spec.name, app.env)).toBe(app.entry);
        app.timings['second ng build'] = Math.round((Date.now() - started) / 100) / 10;
        log(`second ng build: ${app.timings['second ng build']} s`);
      }, 15 * 60_000);

      it('Redis: the new build renders its own pages, the old one keeps serving its own; an invalidation reaches both', async () => {
        const [previous, next] = await Promise.all([start('redis', previousEntry), start('redis')]);
        // The previous build (same files, same id) still finds what it stored above.
        const old = await get(previous, SHARED.path);
        expect(old.cache).toBe('HIT');
        expect(title(old.body)).toBe(firstTitle);
        // The new build never serves it: it renders its own page and stores it next to the old one.
        const fresh = await get(next, SHARED.path);
        expect([fresh.cache, title(fresh.body)]).toEqual(['MISS', secondTitle]);
        expect(seen(await get(next, SHARED.path))).toEqual(['HIT', renderedAt(fresh.body)]);
        expect(seen(await get(previous, SHARED.path))).toEqual(['HIT', renderedAt(old.body)]);
        // Invalidated through the new build: its page is regenerated, the old build's copy marked
        // stale (served once more, then regenerated by the old build itself).
        const answer = await invalidate(next, { urlsToInvalidate: [`/${SHARED.path}`] });
        expect([answer.status, answer.json['invalidated']]).toEqual([200, [`/${SHARED.path}`]]);
        expect((await get(previous, SHARED.path)).cache).toBe('STALE');
        const regenerated = await get(next, SHARED.path);
        expect([regenerated.cache, title(regenerated.body)]).toEqual(['HIT', secondTitle]);
        expect(renderedAt(regenerated.body)).not.toBe(renderedAt(fresh.body));
        await Promise.all([stop(previous), stop(next)]);
      });

      it('filesystem: the new build renders its own pages; the old build still finds its own', async () => {
        const next = await start('fs');
        const fresh = await get(next, SHARED.path);
        expect([fresh.cache, title(fresh.body)]).toEqual(['MISS', secondTitle]);
        expect(seen(await get(next, SHARED.path))).toEqual(['HIT', renderedAt(fresh.body)]);
        await stop(next);
        const previous = await start('fs', previousEntry);
        const old = await get(previous, SHARED.path);
        expect([old.cache, title(old.body)]).toEqual(['HIT', firstTitle]);
        await stop(previous);
      });
    });
  });
}
