'use strict';
// Real Angular SSR apps made by the Angular CLI (`ng new --ssr`), cached outside the repo keyed by
// CLI version, and copied to a fresh folder per run so that `ng add` always starts from the original.
const { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { runStep } = require('./run-step.js');
const { appEnv, cacheRoot, nodeBinDir } = require('./toolchain.js');

/** Tooling packages, versioned apart from the framework packages (`@angular/core`, ...). */
const TOOLING = new Set(['@angular/cli', '@angular/ssr', '@angular/build', '@angular-devkit/build-angular']);

/**
 * The apps the e2e suite and the demo use. `framework`/`tooling` pin every `@angular/*` (and
 * `@angular-devkit/*`) dependency: `ng new` writes caret ranges that can resolve to a newer
 * `@angular/common` than the newest `@angular/platform-server`/`@angular/ssr` (ERESOLVE).
 * 19.2.24 tooling prerenders with a Host that its framework rejects; 19.2.25 + 19.2.27 builds.
 */
const APPS = {
  v21: { name: 'isr21', cli: '21.2.24', framework: '21.2.24', tooling: '21.2.24', nodeMajor: 20, engine: 'app-engine', newArgs: [] },
  v22: { name: 'isr22', cli: '22.2.0', framework: '22.2.0', tooling: '22.2.0', nodeMajor: 22, engine: 'app-engine', newArgs: [] },
  v19: {
    name: 'isr19',
    cli: '19.2.27',
    framework: '19.2.25',
    tooling: '19.2.27',
    nodeMajor: 20,
    engine: 'common-engine',
    newArgs: ['--server-routing=false'],
  },
};

/** An app spec for the CLI version `cli` (the demo follows the repo's devDependency). */
function appForCli(cli) {
  const major = cli.split('.')[0];
  const known = Object.values(APPS).find((app) => app.cli === cli);
  if (known) {
    return known;
  }
  return { name: `isr${major}`, cli, framework: cli, tooling: cli, nodeMajor: Number(major) >= 22 ? 22 : 20, engine: 'app-engine', newArgs: [] };
}

/** Rewrites every Angular dependency of a generated package.json to the pinned versions. */
function pinAngularVersions(packageJson, app) {
  for (const section of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(packageJson[section] ?? {})) {
      if (name.startsWith('@angular/') || name.startsWith('@angular-devkit/')) {
        packageJson[section][name] = TOOLING.has(name) ? app.tooling : app.framework;
      }
    }
  }
  return packageJson;
}

const READY_MARKER = '.ng-isr-pristine';

/**
 * Folder of the pristine app (generated and installed once; reused while its marker exists).
 * Generation happens in a temporary folder renamed into place at the end, so an interrupted
 * run never leaves a half-made app behind for the next one.
 */
async function ensurePristineApp(app, log = () => {}) {
  const appsDir = join(cacheRoot(), 'apps');
  const dir = join(appsDir, `${app.name}-${app.cli}`);
  if (existsSync(join(dir, READY_MARKER))) {
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
      ['-y', '-p', `@angular/cli@${app.cli}`, 'ng', 'new', app.name, '--ssr', '--defaults', '--skip-git', '--skip-install', '--skip-tests', '--interactive=false', ...app.newArgs],
      { cwd: scratch, env, timeoutMs: 5 * 60_000 },
    );
    const generated = join(scratch, app.name);
    const packageFile = join(generated, 'package.json');
    const packageJson = pinAngularVersions(JSON.parse(readFileSync(packageFile, 'utf8')), app);
    writeFileSync(packageFile, JSON.stringify(packageJson, null, 2) + '\n');
    log(`installing its dependencies (Angular ${app.framework}, tooling ${app.tooling}; about a minute)`);
    await runStep('npm install (generated app)', 'npm', ['install', '--no-audit', '--no-fund'], { cwd: generated, env, timeoutMs: 10 * 60_000 });
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

/** Copies the pristine app (with node_modules, symlinks kept) to `dest`, replacing what is there. */
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

module.exports = { APPS, appForCli, ensurePristineApp, copyApp, pinAngularVersions };
