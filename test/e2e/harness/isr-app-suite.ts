import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APPS } from '../../../scripts/lib/angular-apps';
import { startServer, type AppServer } from '../../../scripts/lib/app-server';
import { ng } from '../../../scripts/lib/isr-app';
import { hasChromium, launchChromium } from './browser';
import { getWithHost, isServerRendered, postInvalidate, renderedAt, request, waitFor } from './http';
import { API_PAGE, API_URL_ENV } from './app-additions';
import { startFakeApi, type FakeApi } from './fake-api';
import { HOST_PROBE, PINNED, REPO_ROOT, TAGGED, TIMED, prepareApp, type PreparedApp } from './prepared-app';
import { describeCacheTiers } from './tier-suite';

const ALLOWED_HOSTS = '127.0.0.1,localhost';
const SETUP_TIMEOUT_MS = 25 * 60_000;

/** Checks beyond the ones every app runs. */
export interface IsrAppSuiteOptions {
  /**
   * The filesystem and Redis tiers with two instances, tag invalidation across them and a
   * redeploy (a second build) on the same tier: a few minutes per app, so only some apps opt in.
   */
  tiers?: boolean;
}

/**
 * The end-to-end checks for one generated Angular app, run in order against one build:
 * a server with a token and NG_ALLOWED_HOSTS for most checks, a second start with neither
 * (invalidation off, Angular's default Host check), then the opted-in cache tier checks.
 */
export function describeIsrApp(key: keyof typeof APPS, title: string, options: IsrAppSuiteOptions = {}): void {
  const engine = APPS[key].engine;
  // Angular checks the Host header (allowedHosts / NG_ALLOWED_HOSTS) from 19.2 on; 17 and 18 render for any Host.
  const hostChecked = Number(APPS[key].cli.split('.')[0]) >= 19;
  // Builds, CLI runs and a browser: generous per-check time (e2e only; the waits poll for events).
  jest.setTimeout(180_000);
  describe(title, () => {
    const token = randomBytes(24).toString('hex');
    let app: PreparedApp;
    let server: AppServer;
    let api: FakeApi;
    let pinnedFirst: { at: string; time: number };

    beforeAll(async () => {
      api = await startFakeApi();
      app = await prepareApp(key, { tiers: options.tiers });
      server = await startServer(app.entry, {
        nodeBin: app.nodeBin,
        env: { ...app.env, NG_ALLOWED_HOSTS: ALLOWED_HOSTS, ISR_INVALIDATE_TOKEN: token, [API_URL_ENV]: api.url },
      });
    }, SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await server?.stop();
      await api?.close();
      if (app) {
        process.stdout.write(`[e2e] ${title} preparation times (s): ${JSON.stringify(app.timings)}\n`);
      }
    });

    const page = (path: string, init?: RequestInit) => request(`${server.url}${path}`, init);

    it(`runs on Node ${APPS[key].nodeMajor}+ and ng add wired server.ts, provideISR() and the isr-invalidate target`, () => {
      const version = execFileSync(join(app.nodeBin, 'node'), ['--version'], { encoding: 'utf8' });
      expect(Number(/^v(\d+)/.exec(version)?.[1])).toBeGreaterThanOrEqual(app.spec.nodeMajor);
      const serverFile = existsSync(join(app.dir, 'src/server.ts')) ? 'src/server.ts' : 'server.ts';
      const source = readFileSync(join(app.dir, serverFile), 'utf8');
      expect(source).toContain('new ISRHandler(');
      expect(source).toContain("process.env['ISR_INVALIDATE_TOKEN']");
      // The Express app is `app` (Angular 19+) or `server` (Angular 17-18).
      expect(source).toMatch(/\b(app|server)\.post\(\s*'\/api\/invalidate'[^;]*isr\.invalidate/);
      expect(source).toContain('isr.handle(req, res, next)');
      expect(readFileSync(join(app.dir, 'src/app/app.config.server.ts'), 'utf8')).toContain('provideISR()');
      const workspace = JSON.parse(readFileSync(join(app.dir, 'angular.json'), 'utf8'));
      expect(workspace.projects[app.spec.name].architect['isr-invalidate'].builder).toBe('ng-isr:isr-invalidate');
    });

    it('a Host off NG_ALLOWED_HOSTS never reaches a stored render: the page is rendered for the configured origin', async () => {
      // ng-isr renders every cacheable page from its cache key on the configured origin (here the
      // first NG_ALLOWED_HOSTS entry), never from the visitor's Host: the off-list request gets the
      // canonical page, and the next visitor the same stored render.
      const offList = await getWithHost(server.url, `/${HOST_PROBE.path}`, 'evil.example');
      expect([offList.status, offList.cache, isServerRendered(offList.body)]).toEqual([200, 'MISS', true]);
      expect(offList.body).not.toContain('evil.example');
      const canonical = await page(`/${HOST_PROBE.path}`);
      expect([canonical.status, canonical.cache]).toEqual([200, 'HIT']);
      expect(renderedAt(canonical.body)).toBe(renderedAt(offList.body));
      // A Host that is not a host[:port] at all is refused before any render.
      const malformed = await getWithHost(server.url, `/${HOST_PROBE.path}`, 'localhost/drafts?');
      expect(malformed.status).toBe(400);
    });

    it('MISS -> HIT, s-maxage from data.revalidate, ETag and 304', async () => {
      // The revalidate: 0 page first, so that it is older than the timed page in later checks.
      const pinned = await page(`/${PINNED.path}`);
      expect(pinned.cache).toBe('MISS');
      pinnedFirst = { at: renderedAt(pinned.body), time: Date.now() };

      const first = await page(`/${TIMED.path}`);
      expect(first.status).toBe(200);
      expect(first.cache).toBe('MISS');
      expect(isServerRendered(first.body)).toBe(true);
      const second = await page(`/${TIMED.path}`);
      expect(second.cache).toBe('HIT');
      expect(renderedAt(second.body)).toBe(renderedAt(first.body));

      // The route's data.revalidate reached the handler through provideISR(): it sets s-maxage.
      // A MISS gets s-maxage = revalidate; a HIT the freshness left (so a CDN's copy never outlives it).
      expect(first.headers.get('cache-control')).toMatch(new RegExp(`s-maxage=${TIMED.revalidate}\\b`));
      expect(second.headers.get('cache-control')).toMatch(
        new RegExp(`s-maxage=[0-${TIMED.revalidate}], stale-while-revalidate=${TIMED.revalidate}\\b`),
      );
      expect((await page(`/${PINNED.path}`)).headers.get('cache-control')).toMatch(/s-maxage=0\b/);
      const etag = second.headers.get('etag');
      expect(etag).toBeTruthy();
      const revalidated = await page(`/${TIMED.path}`, { headers: { 'if-none-match': etag ?? '' } });
      expect([revalidated.status, revalidated.body]).toEqual([304, '']);
    });

    it('one page, one key: other spellings of a path reach its stored page or bypass; none is stored', async () => {
      // `%70` is an encoded "p" (unreserved): the same key, so the page stored above answers.
      const encoded = await page(`/%70${PINNED.path.slice(1)}`);
      expect([encoded.status, encoded.cache, renderedAt(encoded.body)]).toEqual([200, 'HIT', pinnedFirst.at]);
      // Matrix parameters are a spelling Angular's router maps to the page: served, never stored.
      const matrix = await page(`/${PINNED.path};s=1`);
      expect(matrix.cache).toBe('BYPASS');
      expect(matrix.headers.get('cache-status')).toMatch(/^ng-isr; fwd=bypass/);
      const again = await page(`/${PINNED.path}`);
      expect([again.cache, renderedAt(again.body)]).toEqual(['HIT', pinnedFirst.at]);
      expect(again.headers.get('cache-status')).toMatch(/^ng-isr; hit/);
    });

    it(`after revalidate (${TIMED.revalidate} s): STALE with the old page, then the regenerated page`, async () => {
      const cached = renderedAt((await page(`/${TIMED.path}`)).body);
      const stale = await waitFor(
        'a STALE answer',
        async () => {
          const answer = await page(`/${TIMED.path}`);
          return answer.cache === 'STALE' ? answer : undefined;
        },
        { timeoutMs: (TIMED.revalidate + 10) * 1000, intervalMs: 250 },
      );
      expect(renderedAt(stale.body)).toBe(cached);
      const fresh = await waitFor('the regenerated page', async () => {
        const answer = await page(`/${TIMED.path}`);
        return answer.cache === 'HIT' && renderedAt(answer.body) !== cached ? answer : undefined;
      });
      expect(new Date(renderedAt(fresh.body)).getTime()).toBeGreaterThan(new Date(cached).getTime());
    });

    it('revalidate: 0 never changes by itself', async () => {
      // It was rendered before the timed page, which has gone stale and been regenerated since.
      expect(Date.now() - pinnedFirst.time).toBeGreaterThanOrEqual(TIMED.revalidate * 1000);
      for (let i = 0; i < 3; i++) {
        const answer = await page(`/${PINNED.path}`);
        expect(answer.cache).toBe('HIT');
        expect(renderedAt(answer.body)).toBe(pinnedFirst.at);
      }
    });

    it('a route without revalidate is rendered every time (BYPASS)', async () => {
      const first = await page('/plain');
      const second = await page('/plain');
      expect([first.status, first.cache, second.status, second.cache]).toEqual([200, 'BYPASS', 200, 'BYPASS']);
      expect(isServerRendered(second.body)).toBe(true);
      expect(renderedAt(second.body)).not.toBe(renderedAt(first.body));
    });

    if (engine === 'app-engine') {
      it('a 404 page is not stored, although its route sets revalidate', async () => {
        for (let i = 0; i < 2; i++) {
          const answer = await page('/no-such-page');
          expect(answer.status).toBe(404);
          expect(answer.body).toContain('Page not found');
          expect(answer.cache).toBe('BYPASS');
        }
      });

      it('a redirect route is answered as a redirect, never stored as a 200', async () => {
        for (let i = 0; i < 2; i++) {
          const answer = await page('/legacy/timed');
          expect(answer.status).toBeGreaterThanOrEqual(301);
          expect(answer.status).toBeLessThanOrEqual(308);
          expect(answer.headers.get('location')).toMatch(/\/timed$/);
          expect(answer.cache).not.toBe('HIT');
        }
      });
    } else {
      // CommonEngine has no response status (an unmatched URL renders an empty outlet as a 200)
      // and follows router redirects inside the render, so there is no 404 or 302 to check.
      it('an unknown URL (no route matches) is rendered every time, never stored', async () => {
        for (let i = 0; i < 2; i++) {
          const answer = await page('/no-such-page');
          expect(answer.cache).toBe('BYPASS');
        }
      });
    }

    it('a page whose HttpClient call fails is served but never stored; once the API answers it is stored', async () => {
      // provideISR() counts failed HttpClient requests of the render (an interceptor on Angular's
      // root interceptor token): the page handles the error and renders, but must not be shared.
      api.failing = true;
      const callsBefore = api.calls;
      const failed = [];
      for (let i = 0; i < 2; i++) {
        const answer = await page(`/${API_PAGE.path}`);
        expect([answer.status, isServerRendered(answer.body)]).toEqual([200, true]);
        expect(answer.body).toContain('failed: 500');
        expect(answer.cache).not.toBe('HIT');
        expect(answer.headers.get('cache-status')).toMatch(/detail="http error"/);
        failed.push(renderedAt(answer.body));
      }
      // Rendered twice (nothing stored), and each render called the API.
      expect(failed[1]).not.toBe(failed[0]);
      expect(api.calls - callsBefore).toBeGreaterThanOrEqual(2);

      api.failing = false;
      const first = await page(`/${API_PAGE.path}`);
      expect([first.status, first.cache]).toEqual([200, 'MISS']);
      expect(first.body).toMatch(/ok: answer #\d+/);
      const second = await page(`/${API_PAGE.path}`);
      expect([second.cache, renderedAt(second.body)]).toEqual(['HIT', renderedAt(first.body)]);
    });

    it('data.isrTags: POST /api/invalidate { tags } regenerates the pages stored with the tag', async () => {
      const first = await page(`/${TAGGED.path}`);
      expect(first.cache).toBe('MISS');
      expect((await page(`/${TAGGED.path}`)).cache).toBe('HIT');
      const answer = await postInvalidate(server.url, { token, tags: [TAGGED.tag] });
      expect(answer.status).toBe(200);
      expect(answer.json['invalidated']).toEqual([expect.stringMatching(new RegExp(`/${TAGGED.path}$`))]);
      const after = await page(`/${TAGGED.path}`);
      expect(after.cache).toBe('HIT');
      expect(renderedAt(after.body)).not.toBe(renderedAt(first.body));
      // A tag no page carries invalidates nothing.
      const unknown = await postInvalidate(server.url, { token, tags: ['no-page-has-this-tag'] });
      expect([unknown.status, unknown.json['invalidated']]).toEqual([200, []]);
    });

    it('static assets are still served from the browser build', async () => {
      const asset = await page('/favicon.ico');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/image/);
      const onDisk = statSync(join(app.entry, '..', '..', 'browser', 'favicon.ico')).size;
      expect(Number(asset.headers.get('content-length'))).toBe(onDisk);
      expect(asset.cache).toBeNull();
    });

    it('POST /api/invalidate: 401 for a wrong or missing token, without echoing it', async () => {
      const wrong = await postInvalidate(server.url, { token: 'wrong-token', urlsToInvalidate: [`/${PINNED.path}`] });
      expect(wrong.status).toBe(401);
      expect(typeof wrong.json['error']).toBe('string');
      expect(JSON.stringify(wrong.json)).not.toContain('wrong-token');
      const bearer = await postInvalidate(server.url, { urlsToInvalidate: [`/${PINNED.path}`] }, { authorization: 'Bearer nope' });
      expect(bearer.status).toBe(401);
      const missing = await postInvalidate(server.url, { urlsToInvalidate: [`/${PINNED.path}`] });
      expect(missing.status).toBe(401);
      expect(server.output()).not.toContain(token);
    });

    it('POST /api/invalidate: 400 for malformed bodies', async () => {
      const bodies: unknown[] = [
        { token },
        { token, urlsToInvalidate: `/${PINNED.path}` },
        { token, urlsToInvalidate: [42] },
        { token, urlsToInvalidate: ['https://evil.example/pinned'] },
        { token, urlsToInvalidate: ['not a path'] },
        { token, tags: 'posts' },
        [token],
      ];
      for (const body of bodies) {
        const answer = await postInvalidate(server.url, body);
        expect({ body, status: answer.status, error: typeof answer.json['error'] }).toEqual({ body, status: 400, error: 'string' });
      }
      // ng add wires the endpoint's JSON error handler after express.json().
      const notJson = await postInvalidate(server.url, '{"token": ');
      expect([notJson.status, typeof notJson.json['error']]).toEqual([400, 'string']);
    });

    it('POST /api/invalidate with the token: 200 and the page regenerated', async () => {
      const before = renderedAt((await page(`/${PINNED.path}`)).body);
      const answer = await postInvalidate(server.url, { token, urlsToInvalidate: [`/${PINNED.path}`, '/never-visited'] });
      expect(answer.status).toBe(200);
      expect(answer.json['invalidated']).toEqual([`/${PINNED.path}`]);
      expect(answer.json['notInCache']).toEqual(['/never-visited']);
      const after = await page(`/${PINNED.path}`);
      expect(after.status).toBe(200);
      expect(['HIT', 'MISS']).toContain(after.cache);
      expect(renderedAt(after.body)).not.toBe(before);

      const viaBearer = await postInvalidate(server.url, { urlsToInvalidate: [`/${PINNED.path}`] }, { authorization: `Bearer ${token}` });
      expect(viaBearer.status).toBe(200);
      expect(renderedAt((await page(`/${PINNED.path}`)).body)).not.toBe(renderedAt(after.body));
    });

    it('ng run <app>:isr-invalidate: exit 0 and the page regenerated; non-zero for a wrong token', async () => {
      const before = renderedAt((await page(`/${PINNED.path}`)).body);
      const target = `${app.spec.name}:isr-invalidate`;
      const args = ['run', target, '--base-url', server.url, '--urls', `/${PINNED.path}`];
      const ok = await ng(app.dir, args, { ...app.env, ISR_INVALIDATE_TOKEN: token }, 'ng run isr-invalidate');
      expect(ok.code).toBe(0);
      expect(ok.output).not.toContain(token);
      expect(renderedAt((await page(`/${PINNED.path}`)).body)).not.toBe(before);

      const refused = await ng(
        app.dir,
        args,
        { ...app.env, ISR_INVALIDATE_TOKEN: 'wrong-token' },
        'ng run isr-invalidate (wrong token)',
      ).then(
        () => undefined,
        (error: Error & { output?: string }) => error,
      );
      expect(refused).toBeDefined();
      expect(refused?.output).toMatch(/401/);

      const noToken = { ...app.env };
      delete noToken['ISR_INVALIDATE_TOKEN'];
      const unset = await ng(app.dir, args, noToken, 'ng run isr-invalidate (no token)').then(
        () => undefined,
        (error: Error & { output?: string }) => error,
      );
      expect(unset?.output).toMatch(/ISR_INVALIDATE_TOKEN/);
    });

    it('a real browser: a HIT page hydrates (click works, no console errors), client-side navigation, screenshot', async () => {
      if (!hasChromium()) {
        throw new Error('chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)');
      }
      await page(`/${TIMED.path}`);
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        const problems: string[] = [];
        tab.on('console', (message) => {
          if (message.type() === 'error') {
            problems.push(message.text());
          }
        });
        tab.on('pageerror', (error) => problems.push(error.message));
        const response = await tab.goto(`${server.url}/${TIMED.path}`, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        expect(['HIT', 'STALE']).toContain(response?.headers()['x-isr-cache']);
        const served = renderedAt(await response!.text());
        // TransferState carries the server's timestamp: the hydrated page still shows the cached one.
        expect(await tab.textContent('#rendered-at')).toBe(served);

        await tab.evaluate(() => ((window as unknown as Record<string, unknown>)['isrMarker'] = 'same document'));
        await tab.click('#clicker');
        await tab.waitForFunction(() => document.querySelector('#clicker')?.textContent?.includes('clicked 1 times'), undefined, {
          timeout: 15_000,
        });

        await tab.click(`#link-${PINNED.path}`);
        await tab.waitForURL(`**/${PINNED.path}`, { timeout: 15_000 });
        await tab.waitForFunction(() => document.querySelector('#page-title')?.textContent === 'Pinned page', undefined, {
          timeout: 15_000,
        });
        expect(await tab.evaluate(() => (window as unknown as Record<string, unknown>)['isrMarker'])).toBe('same document');

        const folder = join(REPO_ROOT, 'screenshots');
        mkdirSync(folder, { recursive: true });
        await tab.screenshot({ path: join(folder, `${app.spec.name}-${app.spec.cli}.png`), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    });

    it('graceful shutdown (ng add wiring, the last check on this server): /healthz answers, SIGTERM lets the request in flight finish and exits 0', async () => {
      const health = await request(`${server.url}/healthz`);
      expect([health.status, health.body, health.cache]).toEqual([200, 'ok', null]);
      const inFlight = request(`${server.url}/plain`);
      // Let the connection be accepted first: the signal then meets a request being rendered (or just answered).
      await new Promise((resolve) => setTimeout(resolve, 100));
      server.child.kill('SIGTERM');
      expect((await inFlight).status).toBe(200);
      // Without the wiring Node dies of the signal (code null); with it the process drains and exits 0.
      expect(await server.exited).toEqual({ code: 0, signal: null });
    });

    describe('started with neither ISR_INVALIDATE_TOKEN nor NG_ALLOWED_HOSTS', () => {
      let bare: AppServer;

      beforeAll(async () => {
        await server.stop();
        const env = { ...app.env };
        delete env['ISR_INVALIDATE_TOKEN'];
        delete env['NG_ALLOWED_HOSTS'];
        bare = await startServer(app.entry, { nodeBin: app.nodeBin, env });
      }, 120_000);

      afterAll(async () => {
        await bare?.stop();
      });

      it('POST /api/invalidate answers 403 to every request', async () => {
        for (const body of [{ token, urlsToInvalidate: [`/${PINNED.path}`] }, {}, { token: '', urlsToInvalidate: ['/'] }]) {
          const answer = await postInvalidate(bare.url, body);
          expect(answer.status).toBe(403);
          expect(typeof answer.json['error']).toBe('string');
        }
      });

      if (!hostChecked) {
        it('no Host check before Angular 19: pages are rendered and cached as usual', async () => {
          const answers = [];
          for (let i = 0; i < 2; i++) {
            const answer = await request(`${bare.url}/${TIMED.path}`);
            answers.push([answer.status, isServerRendered(answer.body), answer.cache]);
          }
          expect(answers).toEqual([
            [200, true, 'MISS'],
            [200, true, 'HIT'],
          ]);
        });
        return;
      }

      it("Angular's default Host check: the client-side-rendered fallback shell is never stored", async () => {
        // No allowed host at all: Angular refuses to render. Up to 21 it answers its CSR shell
        // (200, with a console warning); from 22 on it answers 400. Neither may be stored.
        const refusal = Number(app.spec.cli.split('.')[0]) >= 22 ? 400 : 200;
        for (let i = 0; i < 3; i++) {
          const answer = await request(`${bare.url}/${TIMED.path}`);
          expect([answer.status, isServerRendered(answer.body), answer.cache]).toEqual([refusal, false, 'BYPASS']);
        }
      });
    });

    if (options.tiers) {
      describeCacheTiers(() => ({ app, token }));
    }
  });
}
