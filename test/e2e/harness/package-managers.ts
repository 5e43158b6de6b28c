import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join, relative, sep } from 'node:path';
import { APPS, ensurePristineApp } from '../../../scripts/lib/angular-apps';
import { buildApp, decoratePage, generateIsrRoute, ng, packNgIsr } from '../../../scripts/lib/isr-app';
import { runStep } from '../../../scripts/lib/run-step';
import { appEnv, cacheRoot, nodeBinDir } from '../../../scripts/lib/toolchain';
import { PINNED, REPO_ROOT } from './prepared-app';

/** The package managers a user may install ng-isr with, besides npm (every other e2e app). */
export const PACKAGE_MANAGERS = {
  pnpm: { title: 'pnpm 9 (isolated node_modules)', tool: 'pnpm@9', bin: 'pnpm', lockfile: 'pnpm-lock.yaml' },
  'yarn-classic': { title: 'Yarn 1 (classic node_modules)', tool: 'yarn@1', bin: 'yarn', lockfile: 'yarn.lock' },
  'yarn-berry': { title: 'Yarn 4 (nodeLinker: node-modules)', tool: '@yarnpkg/cli-dist@4', bin: 'yarn', lockfile: 'yarn.lock' },
} as const;

export type PackageManagerKey = keyof typeof PACKAGE_MANAGERS;

/** The Angular app every package-manager workspace starts from (the pristine app the v21 suite also uses). */
export const PM_APP = APPS.v21;

/** Optional peers of ng-isr that must resolve, from the installed package, to the workspace's copies. */
export const OPTIONAL_PEERS = ['@schematics/angular', '@angular-devkit/core', '@angular-devkit/schematics', 'typescript', 'redis'];

/** A workspace installed, set up with `ng add` and built with one package manager. */
export interface PackageManagerApp {
  key: PackageManagerKey;
  dir: string;
  entry: string;
  nodeBin: string;
  env: NodeJS.ProcessEnv;
  /** The package manager's version, as it reports it. */
  version: string;
  timings: Record<string, number>;
}

function log(line: string): void {
  process.stdout.write(`[e2e] ${line}\n`);
}

async function timed<T>(timings: Record<string, number>, step: string, work: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  const result = await work();
  timings[step] = Math.round((Date.now() - started) / 100) / 10;
  log(`${step}: ${timings[step]} s`);
  return result;
}

/** The package manager, installed from the npm registry into the cache (`<cache>/tools/<key>`); its bin folder. */
async function toolBin(key: PackageManagerKey, env: NodeJS.ProcessEnv): Promise<string> {
  const prefix = join(cacheRoot(), 'tools', key);
  const bin = join(prefix, 'node_modules', '.bin');
  if (!existsSync(join(bin, PACKAGE_MANAGERS[key].bin))) {
    mkdirSync(prefix, { recursive: true });
    await runStep(
      `install ${PACKAGE_MANAGERS[key].tool}`,
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, PACKAGE_MANAGERS[key].tool],
      {
        cwd: prefix,
        env,
        timeoutMs: 5 * 60_000,
      },
    );
  }
  return bin;
}

/**
 * Environment of one workspace: the package manager first on PATH (the Angular CLI and ng add's
 * install task call it by name), its store/cache inside the ng-isr cache folder (shared between
 * runs), and no CI mode, in which pnpm and Yarn 4 refuse to write a lockfile.
 */
function workspaceEnv(key: PackageManagerKey, nodeBin: string, bin: string): NodeJS.ProcessEnv {
  const env = appEnv(nodeBin, { CI: 'false' });
  env['PATH'] = [bin, env['PATH']].join(delimiter);
  if (key === 'pnpm') {
    env['npm_config_store_dir'] = join(cacheRoot(), 'pnpm-store');
  } else if (key === 'yarn-classic') {
    env['YARN_CACHE_FOLDER'] = join(cacheRoot(), 'yarn-classic-cache');
  } else {
    env['YARN_GLOBAL_FOLDER'] = join(cacheRoot(), 'yarn-berry');
    env['YARN_ENABLE_IMMUTABLE_INSTALLS'] = 'false';
    env['YARN_ENABLE_TELEMETRY'] = '0';
  }
  return env;
}

/** The registry npm uses (Yarn's default, registry.yarnpkg.com, may be unreachable where npm's is not). */
function npmRegistry(env: NodeJS.ProcessEnv): string {
  return execFileSync('npm', ['config', 'get', 'registry'], { env, encoding: 'utf8' }).trim();
}

/** `<pm> add <specs...>` in the package manager's own spelling. */
function addArgs(key: PackageManagerKey, specs: string[]): string[] {
  return key === 'yarn-classic' ? ['add', '--non-interactive', ...specs] : ['add', ...specs];
}

/**
 * The user's path with another package manager: the sources of the pristine Angular app (no
 * node_modules, no npm lockfile), installed with the package manager; the packed ng-isr and `redis`
 * added with it; `ng add ng-isr`; one `revalidate: 0` page; `ng build`.
 */
export async function preparePackageManagerApp(key: PackageManagerKey): Promise<PackageManagerApp> {
  const timings: Record<string, number> = {};
  const nodeBin = await nodeBinDir(PM_APP.nodeMajor, log);
  const bin = await timed(timings, `install ${PACKAGE_MANAGERS[key].tool}`, () => toolBin(key, appEnv(nodeBin)));
  const env = workspaceEnv(key, nodeBin, bin);
  const pm = join(bin, PACKAGE_MANAGERS[key].bin);
  const version = execFileSync(pm, ['--version'], { env, cwd: cacheRoot(), encoding: 'utf8' }).trim();
  log(`${key}: ${PACKAGE_MANAGERS[key].bin} ${version}`);

  const pristine = await timed(timings, 'generate app (cached)', () => ensurePristineApp(PM_APP, log));
  const dir = join(cacheRoot(), 'work', `${PM_APP.name}-${key}`);
  rmSync(dir, { recursive: true, force: true });
  await timed(timings, 'copy sources', () =>
    cpSync(pristine, dir, {
      recursive: true,
      filter: (source) => !['node_modules', 'package-lock.json', '.ng-isr-pristine', '.angular', 'dist'].includes(basename(source)),
    }),
  );
  // What `ng new --package-manager <pm>` writes instead of npm: package.json's `packageManager`
  // (pnpm and Yarn refuse to install a project configured for npm) and angular.json's cli.packageManager.
  const manifestFile = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  manifest['packageManager'] = `${PACKAGE_MANAGERS[key].bin}@${version}`;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  const workspaceFile = join(dir, 'angular.json');
  const workspace = JSON.parse(readFileSync(workspaceFile, 'utf8')) as { cli?: Record<string, unknown> };
  workspace.cli = { ...workspace.cli, packageManager: PACKAGE_MANAGERS[key].bin };
  writeFileSync(workspaceFile, JSON.stringify(workspace, null, 2) + '\n');

  const registry = npmRegistry(env);
  if (key === 'yarn-classic') {
    writeFileSync(join(dir, '.yarnrc'), `registry "${registry}"\n`);
  } else if (key === 'yarn-berry') {
    // An empty yarn.lock makes this folder its own project; node-modules instead of Plug'n'Play.
    writeFileSync(join(dir, 'yarn.lock'), '');
    writeFileSync(
      join(dir, '.yarnrc.yml'),
      `nodeLinker: node-modules\nnpmRegistryServer: "${registry.replace(/\/$/, '')}"\nenableTelemetry: false\n`,
    );
  }

  const run = (step: string, args: string[], timeoutMs = 10 * 60_000) => runStep(step, pm, args, { cwd: dir, env, timeoutMs });
  await timed(timings, `${key} install`, () => run(`${key} install`, ['install']));

  // The tarball inside the workspace, so that package.json's file: specifier stays valid for
  // later installs (ng add's own install task).
  mkdirSync(cacheRoot(), { recursive: true });
  const packDir = mkdtempSync(join(cacheRoot(), 'pack-'));
  try {
    const packed = await timed(timings, 'npm pack', () => packNgIsr(REPO_ROOT, packDir, { build: false }));
    copyFileSync(packed, join(dir, basename(packed)));
    const tarballSpec =
      key === 'yarn-classic'
        ? `file:./${basename(packed)}`
        : key === 'yarn-berry'
          ? `ng-isr@file:./${basename(packed)}`
          : `./${basename(packed)}`;
    await timed(timings, `${key} add ng-isr tarball + redis`, () =>
      run(`${key} add ng-isr tarball + redis`, addArgs(key, [tarballSpec, 'redis@^6'])),
    );
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  await timed(timings, 'ng add', () => ng(dir, ['add', 'ng-isr', '--skip-confirmation', '--interactive=false'], env, 'ng add ng-isr'));
  await timed(timings, 'ng g isr-route', () => generateIsrRoute(dir, env, PINNED.path, PINNED.revalidate));
  decoratePage(dir, PINNED.path, { title: 'Pinned page' });
  const entry = await timed(timings, 'ng build', () => buildApp(dir, PM_APP.name, env));
  return { key, dir, entry, nodeBin, env, version, timings };
}

/**
 * Where an optional peer of ng-isr resolves from the installed package's real folder (pnpm links
 * it into `node_modules/.pnpm/ng-isr@…/node_modules`), as a path relative to the workspace, or
 * an error message.
 */
export function resolvePeerFromPackage(dir: string, peer: string): string {
  const packageDir = realpathSync(join(dir, 'node_modules', 'ng-isr'));
  try {
    const found = realpathSync(require.resolve(`${peer}/package.json`, { paths: [packageDir] }));
    const root = realpathSync(dir);
    return found.startsWith(root + sep) ? relative(root, found) : `outside the workspace: ${found}`;
  } catch (error) {
    return `not resolvable: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** The version field of a package.json inside the workspace. */
export function packageVersion(dir: string, relativePath: string): string {
  return (JSON.parse(readFileSync(join(dir, relativePath), 'utf8')) as { version: string }).version;
}
