import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, copyApp, ensurePristineApp, type AngularAppSpec } from '../../../scripts/lib/angular-apps';
import {
  addNgIsr,
  appendRoutes,
  buildApp,
  decoratePage,
  findPageComponent,
  generateIsrRoute,
  packNgIsr,
} from '../../../scripts/lib/isr-app';
import { runStep } from '../../../scripts/lib/run-step';
import { appEnv, cacheRoot, nodeBinDir } from '../../../scripts/lib/toolchain';
import { addApiPage, cacheTierFromEnv } from './app-additions';

export const REPO_ROOT = join(__dirname, '../../..');

/** The ISR pages every e2e app gets through `ng generate ng-isr:isr-route`. */
export const TIMED = { path: 'timed', revalidate: 3 };
export const PINNED = { path: 'pinned', revalidate: 0 };
/** A cached route (revalidate: 60) that only the Host-header checks request. */
export const HOST_PROBE = { path: 'host-probe', revalidate: 60 };
/** A cached route with `data.isrTags` (tag invalidation). */
export const TAGGED = { path: 'tagged', revalidate: 60, tag: 'e2e-tagged' };
/** A cached route that only the cache tier checks request (fresh for longer than a second build takes). */
export const SHARED = { path: 'shared', revalidate: 3600 };

/** Preparation beyond what every app gets. */
export interface PrepareOptions {
  /**
   * The cache tier checks (filesystem, Redis): server.ts takes its tier from the environment
   * (see cacheTierFromEnv) and the app gets the `redis` client package.
   */
  tiers?: boolean;
}

/** An app after `ng add ng-isr`, the generated pages and `ng build`. */
export interface PreparedApp {
  spec: AngularAppSpec;
  dir: string;
  /** `dist/<app>/server/server.mjs` */
  entry: string;
  nodeBin: string;
  env: NodeJS.ProcessEnv;
  /** Seconds each preparation step took (reported by the suite). */
  timings: Record<string, number>;
  /** `server.ts` or `src/server.ts`. */
  serverFile: string;
}

/** The Redis client the tier checks install: the version ng-isr's own tests run against. */
const REDIS_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
  .devDependencies['redis'];

/** Where the app's server entry source is (Angular 17-18: the workspace root; 19+: src/). */
function serverFileOf(dir: string): string {
  return existsSync(join(dir, 'src', 'server.ts')) ? join('src', 'server.ts') : 'server.ts';
}

export function log(line: string): void {
  process.stdout.write(`[e2e] ${line}\n`);
}

async function timed<T>(timings: Record<string, number>, step: string, work: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  const result = await work();
  timings[step] = Math.round((Date.now() - started) / 100) / 10;
  log(`${step}: ${timings[step]} s`);
  return result;
}

/**
 * A 404 page on a route that sets `revalidate`, so only its status keeps it out of the cache.
 * `RESPONSE_INIT` is null under CommonEngine (there the page is a 200: CommonEngine has no status).
 */
const NOT_FOUND_PAGE = `import { Component, RESPONSE_INIT, inject } from '@angular/core';

/** Unknown URLs: a page answered with status 404. */
@Component({
  selector: 'app-not-found-page',
  standalone: true,
  template: '<h1 id="page-title">Page not found</h1>',
})
export class NotFoundPage {
  constructor() {
    const init = inject(RESPONSE_INIT, { optional: true });
    if (init) {
      init.status = 404;
    }
  }
}
`;

/**
 * Generates (or reuses) the pristine app, copies it to a fresh work folder, and runs the user's
 * path: install the packed tarball, `ng add ng-isr`, `ng g ng-isr:isr-route` for a page with a
 * short `revalidate` and one with `revalidate: 0` (both decorated with a render timestamp, a
 * button and links), extra routes for the checks (no revalidate, a redirect, a 404 page), `ng build`.
 * Expects `npm run build` to have run (as `npm run e2e` does).
 */
export async function prepareApp(key: keyof typeof APPS, options: PrepareOptions = {}): Promise<PreparedApp> {
  const spec = APPS[key];
  const timings: Record<string, number> = {};
  const nodeBin = await timed(timings, 'node runtime', () => nodeBinDir(spec.nodeMajor, log));
  const env = appEnv(nodeBin);
  mkdirSync(cacheRoot(), { recursive: true });
  const packDir = mkdtempSync(join(cacheRoot(), 'pack-'));
  try {
    const tarball = await timed(timings, 'npm pack', () => packNgIsr(REPO_ROOT, packDir, { build: false }));
    const workDir = join(cacheRoot(), 'work', spec.name);
    const reusable = join(workDir, '.ng-isr-e2e-built');
    if (process.env['NG_ISR_E2E_REUSE'] === '1' && existsSync(reusable)) {
      // For iterating on the checks only: keeps the last run's build (and its ng-isr).
      log(`NG_ISR_E2E_REUSE=1: reusing the build in ${workDir}`);
      const entry = readFileSync(reusable, 'utf8').trim();
      return { spec, dir: workDir, entry, nodeBin, env, timings, serverFile: serverFileOf(workDir) };
    }
    const pristine = await timed(timings, 'generate app (cached)', () => ensurePristineApp(spec, log));
    const dir = await timed(timings, 'copy app', () => copyApp(pristine, workDir));
    await timed(timings, 'install tarball + ng add', () => addNgIsr(dir, tarball, env));
    await timed(timings, 'ng g isr-route x2', async () => {
      await generateIsrRoute(dir, env, TIMED.path, TIMED.revalidate);
      await generateIsrRoute(dir, env, PINNED.path, PINNED.revalidate);
    });
    decoratePage(dir, TIMED.path, { title: 'Timed page', links: [PINNED.path] });
    decoratePage(dir, PINNED.path, { title: 'Pinned page', links: [TIMED.path] });
    const timedClass = findPageComponent(dir, TIMED.path).className;
    const apiPage = addApiPage(dir);
    const routes = [
      `{ path: 'plain', component: ${timedClass} }`,
      `{ path: '${HOST_PROBE.path}', component: ${timedClass}, data: { revalidate: ${HOST_PROBE.revalidate} } }`,
      `{ path: '${TAGGED.path}', component: ${timedClass}, data: { revalidate: ${TAGGED.revalidate}, isrTags: ['${TAGGED.tag}'] } }`,
      `{ path: '${SHARED.path}', component: ${timedClass}, data: { revalidate: ${SHARED.revalidate} } }`,
      apiPage.route,
    ];
    const imports: string[] = [apiPage.importLine];
    if (spec.engine === 'app-engine') {
      // CommonEngine answers a router redirect with the target page (200) and cannot set a 404
      // status, so these two only exist where Angular itself answers 302 / 404.
      routes.push(`{ path: 'legacy', data: { revalidate: 60 }, children: [{ path: 'timed', redirectTo: '/timed' }] }`);
      routes.push(`{ path: '**', component: NotFoundPage, data: { revalidate: 60 } }`);
      imports.push(`import { NotFoundPage } from './not-found-page';`);
      writeFileSync(join(dir, 'src', 'app', 'not-found-page.ts'), NOT_FOUND_PAGE);
    }
    appendRoutes(dir, { imports, routes });
    const serverFile = serverFileOf(dir);
    if (options.tiers) {
      cacheTierFromEnv(dir, serverFile);
      await timed(timings, 'npm install redis', () =>
        runStep('npm install redis', 'npm', ['install', '--no-audit', '--no-fund', `redis@${REDIS_VERSION}`], {
          cwd: dir,
          env,
          timeoutMs: 5 * 60_000,
        }),
      );
    }
    const entry = await timed(timings, 'ng build', () => buildApp(dir, spec.name, env));
    writeFileSync(reusable, `${entry}\n`);
    return { spec, dir, entry, nodeBin, env, timings, serverFile };
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}
