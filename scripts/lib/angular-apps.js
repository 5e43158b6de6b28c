// @ts-check
'use strict';
// Real Angular SSR apps made by the Angular CLI (`ng new --ssr`), cached outside the repo keyed by
// CLI version, and copied to a fresh folder per run so that `ng add` always starts from the original.
const { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { runStep } = require('./run-step.js');
const { appEnv, cacheRoot, nodeBinDir } = require('./toolchain.js');

/**
 * @typedef {object} AngularAppSpec
 * @property {string} name Project name passed to `ng new`.
 * @property {string} cli Angular CLI version that generates the app.
 * @property {string} framework Pinned version of the framework packages (`@angular/core`, ...).
 * @property {string} tooling Pinned version of `@angular/cli`, `@angular/ssr`, `@angular/build`, `@angular-devkit/build-angular`.
 * @property {number} nodeMajor Lowest Node major the app's commands run on.
 * @property {'app-engine' | 'common-engine'} engine
 * @property {4 | 5} express Express major version in the generated package.json.
 * @property {string[]} newArgs Extra `ng new` options.
 */

/** Tooling packages, versioned apart from the framework packages (`@angular/core`, ...). */
const TOOLING = new Set(['@angular/cli', '@angular/ssr', '@angular/build', '@angular-devkit/build-angular']);

/**
 * The apps the e2e suite and the demo use. `framework`/`tooling` pin every `@angular/*` (and
 * `@angular-devkit/*`) dependency: `ng new` writes caret ranges that can resolve to a newer
 * `@angular/common` than the newest `@angular/platform-server`/`@angular/ssr` (ERESOLVE).
 * 19.2.24 tooling prerenders with a Host that its framework rejects; 19.2.25 + 19.2.27 builds.
 */
/** @satisfies {Record<string, AngularAppSpec>} */
const APPS = {
  // Angular 17/18: CommonEngine, Express 4, server.ts at the workspace root, "prerender": true.
  v17: {
    name: 'isr17',
    cli: '17.3.17',
    framework: '17.3.12',
    tooling: '17.3.17',
    nodeMajor: 20,
    engine: 'common-engine',
    express: 4,
    newArgs: [],
  },
  v18: {
    name: 'isr18',
    cli: '18.2.21',
    framework: '18.2.14',
    tooling: '18.2.21',
    nodeMajor: 20,
    engine: 'common-engine',
    express: 4,
    newArgs: [],
  },
  // Angular 20: AngularNodeAppEngine, Express 5 (20.3.32 is the newest @angular/platform-server 20).
  v20: {
    name: 'isr20',
    cli: '20.3.37',
    framework: '20.3.32',
    tooling: '20.3.37',
    nodeMajor: 20,
    engine: 'app-engine',
    express: 5,
    newArgs: [],
  },
  v21: {
    name: 'isr21',
    cli: '21.2.24',
    framework: '21.2.24',
    tooling: '21.2.24',
    nodeMajor: 20,
    engine: 'app-engine',
    express: 5,
    newArgs: [],
  },
  v22: {
    name: 'isr22',
    cli: '22.2.0',
    framework: '22.2.0',
    tooling: '22.2.0',
    nodeMajor: 22,
    engine: 'app-engine',
    express: 5,
    newArgs: [],
  },
  v19: {
    name: 'isr19',
    cli: '19.2.27',
    framework: '19.2.25',
    tooling: '19.2.27',
    nodeMajor: 20,
    engine: 'common-engine',
    express: 4,
    newArgs: ['--server-routing=false'],
  },
};

/**
 * An app spec for the CLI version `cli` (the demo follows the repo's devDependency).
 * @param {string} cli
 * @returns {AngularAppSpec}
 */
function appForCli(cli) {
  const major = cli.split('.')[0];
  /** @type {AngularAppSpec[]} */
  const known = Object.values(APPS).filter((app) => app.cli === cli);
  if (known[0]) {
    return known[0];
  }
  return {
    name: `isr${major}`,
    cli,
    framework: cli,
    tooling: cli,
    nodeMajor: Number(major) >= 22 ? 22 : 20,
    engine: 'app-engine',
    express: 5,
    newArgs: [],
  };
}

/**
 * Rewrites every Angular dependency of a generated package.json to the pinned versions.
 * @template {{ dependencies?: Record<string, string>, devDependencies?: Record<string, string> }} T
 * @param {T} packageJson
 * @param {AngularAppSpec} app
 * @returns {T}
 */
function pinAngularVersions(packageJson, app) {
  for (const section of [packageJson.dependencies, packageJson.devDependencies]) {
    for (const name of Object.keys(section ?? {})) {
      if (section && (name.startsWith('@angular/') || name.startsWith('@angular-devkit/'))) {
        section[name] = TOOLING.has(name) ? app.tooling : app.framework;
      }
    }
  }
  return packageJson;
}

const READY_MARKER = '.ng-isr-pristine';

/**
 * Folder of the pristine app in the cache (it may not exist yet).
 * @param {AngularAppSpec} app
 * @returns {string}
 */
function pristineAppDir(app) {
  return join(cacheRoot(), 'apps', `${app.name}-${app.cli}`);
}

/**
 * True when the pristine app is generated and installed, so {@link ensurePristineApp} only reuses it.
 * @param {AngularAppSpec} app
 * @returns {boolean}
 */
function isPristineAppCached(app) {
  return existsSync(join(pristineAppDir(app), READY_MARKER));
}

/**
 * Folder of the pristine app (generated and installed once; reused while its marker exists).
 * Generation happens in a temporary folder renamed into place at the end, so an interrupted
 * run never leaves a half-made app behind for the next one.
 * @param {AngularAppSpec} app
 * @param {(line: string) => void} [log]
 * @returns {Promise<string>}
 */
async function ensurePristineApp(app, log = () => {}) {
  const dir = pristineAppDir(app);
  const appsDir = join(dir, '..');
  if (isPristineAppCached(app)) {
    log(`reusing the cached Angular ${app.cli} app at ${dir}`);
    return dir;
  }
  const env = appEnv(await nodeBinDir(app.nodeMajor, log));
  const scratch = join(appsDir, `.tmp-${app.name}-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    log(`generating an Angular ${app.cli} SSR app with the Angular CLI (ng new ${app.name} --ssr)`);
    await runStep(
      'ng new',
      'npx',
      [
        '-y',
        '-p',
        `@angular/cli@${app.cli}`,
        'ng',
        'new',
        app.name,
        '--ssr',
        '--defaults',
        '--skip-git',
        '--skip-install',
        '--skip-tests',
        '--interactive=false',
        ...app.newArgs,
      ],
      { cwd: scratch, env, timeoutMs: 5 * 60_000 },
    );
    const generated = join(scratch, app.name);
    const packageFile = join(generated, 'package.json');
    const packageJson = pinAngularVersions(JSON.parse(readFileSync(packageFile, 'utf8')), app);
    writeFileSync(packageFile, JSON.stringify(packageJson, null, 2) + '\n');
    log(`installing its dependencies (Angular ${app.framework}, tooling ${app.tooling}; about a minute)`);
    await runStep('npm install (generated app)', 'npm', ['install', '--no-audit', '--no-fund'], {
      cwd: generated,
      env,
      timeoutMs: 10 * 60_000,
    });
    writeFileSync(join(generated, READY_MARKER), `${new Date().toISOString()}\n`);
    // Another run may have finished the same app meanwhile (and be copying it): keep that one.
    if (!existsSync(join(dir, READY_MARKER))) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(generated, dir);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Copies the pristine app (with node_modules, symlinks kept) to `dest`, replacing what is there.
 * @param {string} pristineDir
 * @param {string} dest
 * @returns {string}
 */
function copyApp(pristineDir, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(join(dest, '..'), { recursive: true });
  // `cp -a` is several times faster than fs.cpSync on a 300 MB node_modules.
  const copied = process.platform !== 'win32' && spawnSync('cp', ['-a', pristineDir, dest], { stdio: 'ignore' }).status === 0;
  if (!copied) {
    rmSync(dest, { recursive: true, force: true });
    cpSync(pristineDir, dest, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
  rmSync(join(dest, READY_MARKER), { force: true });
  return dest;
}

module.exports = { APPS, appForCli, ensurePristineApp, isPristineAppCached, pristineAppDir, copyApp, pinAngularVersions };
