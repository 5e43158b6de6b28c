// Prepares the three builds of ONE Angular app the benchmark compares:
//   plain : the app as `ng new --ssr` made it (+ the benchmark's pages), before `ng add ng-isr`
//   isr   : the same app after `ng add ng-isr` (packed from this repo), cache tier chosen by env
//   rx    : the same app wired with @rx-angular/isr per its README (CommonEngine), installed only
//           under bench/.work
// Every step is skipped when its output exists and its inputs did not change (marker files).
// The app's own sources live in bench/app-files and bench/rx as `*.ts.template` (copied without
// the suffix), so that the repository's tsc does not compile files meant for the Angular app.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { log, run } from './exec.mjs';

// The e2e harness's generator: `ng new --ssr` with every @angular/* pinned, installed once and
// cached under ~/.cache/ng-isr/apps (shared with `npm run e2e` and `npm run demo`).
const require = createRequire(import.meta.url);
const { APPS, ensurePristineApp, copyApp: copyPristineApp } = require('../../scripts/lib/angular-apps.js');
const { packNgIsr: packTarball } = require('../../scripts/lib/isr-app.js');
const { cacheRoot } = require('../../scripts/lib/toolchain.js');
const APP = APPS.v21;

export const ANGULAR_VERSION = APP.framework;
export const RX_ANGULAR_ISR_VERSION = '21.0.2';
export const APP_NAME = APP.name;

const benchDir = new URL('..', import.meta.url).pathname;
const repoDir = join(benchDir, '..');
// Inside the one cache folder of the tests and the demo ($NG_ISR_CACHE_DIR, else ~/.cache/ng-isr).
const cacheDir = join(cacheRoot(), 'bench');
const workDir = join(benchDir, '.work');
const npm = 'npm';

/** Paths of the prepared apps (server entry = dist/<app>/server/server.mjs). */
export const apps = {
  plain: join(cacheDir, 'plain'),
  isr: join(cacheDir, 'isr'),
  rx: join(workDir, 'rx'),
};

export function serverEntry(appDir) {
  return join(appDir, 'dist', APP_NAME, 'server', 'server.mjs');
}

function hashOf(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
}

function appFilesHash() {
  const dir = join(benchDir, 'app-files');
  return hashOf(
    ...readdirSync(dir)
      .sort()
      .map((name) => name.replace(/\.template$/, '') + readFileSync(join(dir, name))),
  );
}

function marker(dir, name) {
  const file = join(dir, `.bench-${name}`);
  return {
    is: (value) => existsSync(file) && readFileSync(file, 'utf8') === value,
    set: (value) => writeFileSync(file, value),
  };
}

/** Version of the benchmark's own edits to server.ts (part of the build marker). */
const SERVER_PATCH_VERSION = '2';

/**
 * The benchmark's edits to the generated server.ts: a stats route right after
 * `const app = express();` (renders counted by the pages, RSS), and listening on 127.0.0.1 only.
 */
function patchServer(serverTs) {
  const anchor = 'const app = express();\n';
  const listen = 'app.listen(port, (error) => {';
  let text = serverTs;
  if (!text.includes("'127.0.0.1', (error) => {")) {
    if (!text.includes(listen)) throw new Error('server.ts has no "app.listen(port, (error) => {" line');
    text = text.replace(listen, "app.listen(Number(port), '127.0.0.1', (error) => {");
  }
  if (!text.includes('/__bench/stats')) {
    if (!text.includes(anchor)) throw new Error('server.ts has no "const app = express();" line');
    text = text.replace(
      anchor,
      anchor +
        `\n// Benchmark only: server renders counted by the pages, and this process's memory.\n` +
        `app.get('/__bench/stats', (_req, res) => {\n` +
        `  res.json({ renders: (globalThis as { benchRenders?: number }).benchRenders ?? 0, rss: process.memoryUsage().rss });\n` +
        `});\n`,
    );
  }
  return text;
}

async function build(appDir, step) {
  rmSync(join(appDir, 'dist'), { recursive: true, force: true });
  await run(step, npm, ['exec', '--', 'ng', 'build'], { cwd: appDir, env: { NG_CLI_ANALYTICS: 'false' }, timeoutMs: 300_000 });
}

/** The harness's pristine `ng new --ssr` app (cached), the benchmark's pages and server routes, built. */
async function preparePlain() {
  const dir = apps.plain;
  const pristine = await ensurePristineApp(APP, log);
  const source = marker(dir, 'source');
  if (!existsSync(join(dir, 'package.json')) || !source.is(pristine)) {
    mkdirSync(cacheDir, { recursive: true });
    copyPristineApp(pristine, dir);
    source.set(pristine);
  }
  const built = marker(dir, 'built');
  const inputs = appFilesHash() + SERVER_PATCH_VERSION;
  if (!built.is(inputs) || !existsSync(serverEntry(dir))) {
    for (const name of readdirSync(join(benchDir, 'app-files'))) {
      cpSync(join(benchDir, 'app-files', name), join(dir, 'src/app', name.replace(/\.template$/, '')));
    }
    const serverTs = join(dir, 'src/server.ts');
    writeFileSync(serverTs, patchServer(readFileSync(serverTs, 'utf8')));
    await build(dir, 'ng build (plain app)');
    built.set(inputs);
  }
  return inputs;
}

/** A copy of the plain app (sources + node_modules, no build output). */
async function copyApp(from, to) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  await run(`copy app to ${to}`, 'rsync', [
    '-a',
    '--delete',
    '--exclude',
    '/dist',
    '--exclude',
    '/.angular',
    '--exclude',
    '/.bench-*',
    `${from}/`,
    `${to}/`,
  ]);
}

/** Packs ng-isr from this repo (built by `npm run bench` first), as the e2e suite and the demo do. */
async function packNgIsr() {
  const out = join(workDir, 'pack');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const target = await packTarball(repoDir, out, { build: false });
  return { tarball: target, hash: hashOf(readFileSync(target)) };
}

/** Lines the benchmark adds to the ng-add'ed server.ts: the cache tier comes from BENCH_CACHE. */
const CACHE_CHOICE = `
// Benchmark only: the cache tier under test.
function benchCache() {
  switch (process.env['BENCH_CACHE']) {
    case 'filesystem':
      return new FileSystemCacheHandler({ directory: process.env['BENCH_CACHE_DIR'] ?? '/tmp/ng-isr-bench-fs' });
    case 'redis':
      return new RedisCacheHandler({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', keyPrefix: process.env['BENCH_REDIS_PREFIX'] ?? 'ng-isr-bench:' });
    case 'redis-layer':
      return new RedisCacheHandler({
        url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
        keyPrefix: process.env['BENCH_REDIS_PREFIX'] ?? 'ng-isr-bench:',
        memoryLayer: { maxBytes: 32 * 1024 * 1024 },
      });
    case 'redis-cluster':
      return new RedisCacheHandler({
        cluster: { rootNodes: (process.env['REDIS_CLUSTER_NODES'] ?? '').split(',') },
        keyPrefix: process.env['BENCH_REDIS_PREFIX'] ?? 'ng-isr-bench:',
        ...(process.env['BENCH_REDIS_MEMORY_LAYER'] === 'off' ? { memoryLayer: false } : {}),
      });
    default:
      return new MemoryCacheHandler();
  }
}
`;

/** Version of the steps below (part of the build marker). */
const ISR_PREP_VERSION = '4';

/** plain + `npm install ng-isr.tgz redis` + `ng g ng-isr:ng-add` + the tier switch; built. */
async function prepareIsr(plainHash) {
  const dir = apps.isr;
  const { tarball, hash } = await packNgIsr();
  const built = marker(dir, 'built');
  if (built.is(plainHash + hash + ISR_PREP_VERSION) && existsSync(serverEntry(dir))) return;
  await copyApp(apps.plain, dir);
  // redis: the optional peer RedisCacheHandler needs, installed as a user of the Redis tier would.
  await run('npm install ng-isr tarball + redis', npm, ['install', '--no-audit', '--no-fund', tarball, 'redis@^6.3.1'], {
    cwd: dir,
    timeoutMs: 300_000,
  });
  await run('ng add ng-isr (ng g ng-isr:ng-add)', npm, ['exec', '--', 'ng', 'g', 'ng-isr:ng-add', '--keep-prerender=false'], {
    cwd: dir,
    env: { NG_CLI_ANALYTICS: 'false' },
    timeoutMs: 180_000,
  });
  const serverTsPath = join(dir, 'src/server.ts');
  let serverTs = readFileSync(serverTsPath, 'utf8');
  if (!serverTs.includes('isr.handle(')) throw new Error('ng add did not route pages through isr.handle');
  const isrImport = "import { ISRHandler } from 'ng-isr';\n";
  serverTs = serverTs
    .replace(
      isrImport,
      "import { FileSystemCacheHandler, ISRHandler, MemoryCacheHandler, RedisCacheHandler } from 'ng-isr';\n" + CACHE_CHOICE,
    )
    .replace('angularAppEngine: angularApp,\n', 'angularAppEngine: angularApp,\n  cache: benchCache(),\n');
  if (!serverTs.includes('cache: benchCache()')) throw new Error('could not add the benchmark cache switch to server.ts');
  // ng add listens through the fast path; BENCH_MIDDLEWARE_ONLY=1 listens with the app itself (the middleware row).
  const fastListen = 'isr.fastPath(app).listen(';
  if (!serverTs.includes(fastListen)) throw new Error('ng add did not make the server listen through isr.fastPath(app)');
  serverTs = serverTs.replace(
    fastListen,
    "(process.env['BENCH_MIDDLEWARE_ONLY'] === '1' ? (app as unknown as ReturnType<typeof isr.fastPath>) : isr.fastPath(app)).listen(",
  );
  writeFileSync(serverTsPath, serverTs);
  await build(dir, 'ng build (ng-isr app)');
  built.set(plainHash + hash + ISR_PREP_VERSION);
}

/**
 * plain + @rx-angular/isr, wired as its README says: CommonEngine (the engine it supports),
 * `new ISRHandler({ indexHtml, invalidateSecretToken, ... })`, `serveFromCache` then `render`,
 * `provideISR()` in the server config. Its peer range asks for Express 4; the app has Express 5
 * (installed with --legacy-peer-deps; the benchmark checks the answers are real pages).
 */
async function prepareRx(plainHash) {
  const dir = apps.rx;
  const built = marker(dir, 'built');
  const inputs =
    plainHash +
    RX_ANGULAR_ISR_VERSION +
    readFileSync(join(benchDir, 'rx/server.ts.template'), 'utf8') +
    readFileSync(join(benchDir, 'rx/app.config.server.ts.template'), 'utf8');
  if (built.is(hashOf(inputs)) && existsSync(serverEntry(dir))) return;
  await copyApp(apps.plain, dir);
  await run(
    `npm install @rx-angular/isr@${RX_ANGULAR_ISR_VERSION}`,
    npm,
    ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', `@rx-angular/isr@${RX_ANGULAR_ISR_VERSION}`],
    {
      cwd: dir,
      timeoutMs: 300_000,
    },
  );
  cpSync(join(benchDir, 'rx/server.ts.template'), join(dir, 'src/server.ts'));
  cpSync(join(benchDir, 'rx/app.config.server.ts.template'), join(dir, 'src/app/app.config.server.ts'));
  await build(dir, 'ng build (@rx-angular/isr app)');
  built.set(hashOf(inputs));
}

/** Prepares all three; rx failures are returned (and reported), not thrown. */
export async function prepareApps() {
  mkdirSync(workDir, { recursive: true });
  log('preparing the Angular app (cached between runs)');
  const plainHash = await preparePlain();
  await prepareIsr(plainHash);
  let rxError;
  try {
    await prepareRx(plainHash);
  } catch (error) {
    rxError = error instanceof Error ? error.message : String(error);
    log(`@rx-angular/isr could not be prepared: ${rxError}`);
  }
  return { rxError };
}
