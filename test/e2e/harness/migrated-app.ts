import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, copyApp, ensurePristineApp } from '../../../scripts/lib/angular-apps';
import { addNgIsr, appendRoutes, buildApp, packNgIsr } from '../../../scripts/lib/isr-app';
import { runStep, type StepResult } from '../../../scripts/lib/run-step';
import { appEnv, cacheRoot, nodeBinDir } from '../../../scripts/lib/toolchain';
import { withForeignIsr, type ForeignSetup } from '../../schematics/ng-add/support/foreign-isr';
import type { WorkspaceFiles } from '../../schematics/ng-add/support/tree-files';
import { REPO_ROOT, log, type PreparedApp } from './prepared-app';

/** An app wired to @rx-angular/isr or ngx-isr as their docs show, before `ng add ng-isr`. */
export interface ForeignApp {
  /** Which generated app to start from (its layout must match the fixture's). */
  key: keyof typeof APPS;
  setup: Omit<ForeignSetup, 'serverEntry' | 'serverConfig'>;
  /** The release installed (their registry's release for the app's Angular major). */
  version: string;
}

/** A migrated app, with what it was before `ng add`. */
export interface MigratedApp extends PreparedApp {
  ngAddOutput: string;
  /** The old library's version installed before `ng add`. */
  foreignVersion: string;
  /** server.ts before `ng add`. */
  foreignServer: string;
}

/** The cached page of the migrated apps (its route sets `data.revalidate`, as their docs do). */
export const MIGRATED_PAGE = { path: 'articles', revalidate: 60 };

const pageSource = (library: string): string => `import { Component } from '@angular/core';

/** A page cached through ISR since the app used ${library}: shows when the server rendered it. */
@Component({
  selector: 'app-articles-page',
  standalone: true,
  template: '<h1 id="page-title">Articles</h1><p>Rendered at <time id="rendered-at">{{ renderedAt }}</time></p>',
})
export class ArticlesPage {
  readonly renderedAt = new Date().toISOString();
}
`;

/** The workspace files their setup changes, as a tree (leading slash) read from `dir`. */
function readFiles(dir: string, paths: string[]): WorkspaceFiles {
  return new Map(paths.map((path) => [path, readFileSync(join(dir, path))]));
}

/**
 * Copies the pristine app, sets it up with the foreign library (their server.ts fixture, their
 * server config providers, the package installed), adds a cached route, then runs the user's path
 * to ng-isr: install the packed tarball, `ng add ng-isr`, `ng build`. Returns the app (with the
 * `ng add` output in `ngAddOutput`).
 */
export async function prepareMigratedApp(foreign: ForeignApp): Promise<MigratedApp> {
  const spec = APPS[foreign.key];
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = Date.now();
    const result = await work();
    timings[name] = Math.round((Date.now() - started) / 100) / 10;
    log(`${name}: ${timings[name]} s`);
    return result;
  };
  const nodeBin = await nodeBinDir(spec.nodeMajor, log);
  const env = appEnv(nodeBin);
  const serverFile = spec.engine === 'common-engine' && Number(spec.cli.split('.')[0]) < 19 ? 'server.ts' : 'src/server.ts';
  const serverConfig = 'src/app/app.config.server.ts';
  const pristine = await step('generate app (cached)', () => ensurePristineApp(spec, log));
  const name = foreign.setup.packageName.replace(/\W+/g, '-').replace(/^-/, '');
  const dir = await step('copy app', () => copyApp(pristine, join(cacheRoot(), 'work', `${spec.name}-from-${name}`)));

  const files = withForeignIsr(readFiles(dir, ['/package.json', `/${serverFile}`, `/${serverConfig}`]), {
    ...foreign.setup,
    serverEntry: `/${serverFile}`,
    serverConfig: `/${serverConfig}`,
  });
  for (const [path, content] of files) writeFileSync(join(dir, path), content);
  writeFileSync(join(dir, 'src', 'app', 'articles-page.ts'), pageSource(foreign.setup.packageName));
  appendRoutes(dir, {
    imports: [`import { ArticlesPage } from './articles-page';`],
    routes: [`{ path: '${MIGRATED_PAGE.path}', component: ArticlesPage, data: { revalidate: ${MIGRATED_PAGE.revalidate} } }`],
  });
  const wanted = `${foreign.setup.packageName}@${foreign.version}`;
  await step(`npm install ${wanted}`, () =>
    runStep(`npm install ${wanted}`, 'npm', ['install', '--no-audit', '--no-fund', wanted], { cwd: dir, env, timeoutMs: 5 * 60_000 }),
  );

  const installed = join(dir, 'node_modules', ...foreign.setup.packageName.split('/'), 'package.json');
  const foreignVersion = (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version;
  const foreignServer = readFileSync(join(dir, serverFile), 'utf8');

  const packDir = mkdtempSync(join(cacheRoot(), 'pack-'));
  let added: StepResult;
  try {
    const tarball = await step('npm pack', () => packNgIsr(REPO_ROOT, packDir, { build: false }));
    added = await step('install tarball + ng add', () => addNgIsr(dir, tarball, env));
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  const entry = await step('ng build', () => buildApp(dir, spec.name, env));
  return { spec, dir, entry, nodeBin, env, timings, serverFile, ngAddOutput: added.output, foreignVersion, foreignServer };
}
