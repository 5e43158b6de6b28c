#!/usr/bin/env node
// `npm run demo`: ISR on a real Angular app in one command.
// Builds and packs ng-isr, generates an Angular SSR app with the CLI version of this repo's
// devDependencies (cached outside the repo), installs the tarball, runs `ng add ng-isr` and
// `ng generate ng-isr:isr-route` for two pages, builds, and serves it with a generated token.
//
//   npm run demo                      serve until Ctrl-C
//   npm run demo -- --no-serve        (or NG_ISR_DEMO_NO_SERVE=1) self-check, then exit
//   npm run demo -- --fresh           redo the app from the cached `ng new` output
//   PORT=4300 npm run demo            another port (default 4000, else a free one)
//   NG_ISR_DEMO_PROGRESS_MS=5000      how often a long step prints its elapsed time (default 10000)
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { appForCli, copyApp, ensurePristineApp, isPristineAppCached } = require('./lib/angular-apps.js');
const { addNgIsr, buildApp, decoratePage, generateIsrRoute, packNgIsr } = require('./lib/isr-app.js');
const { startServer } = require('./lib/app-server.js');
const { appEnv, cacheRoot, nodeBinDir } = require('./lib/toolchain.js');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const serve = !(args.has('--no-serve') || process.env.NG_ISR_DEMO_NO_SERVE === '1');
const fresh = args.has('--fresh');
/** A long step prints its elapsed time this often, so a minute-long `ng build` visibly moves. */
const progressMs = Number(process.env.NG_ISR_DEMO_PROGRESS_MS) || 10_000;
const PAGES = [
  { path: 'news', revalidate: 10, title: 'News (revalidate: 10)' },
  { path: 'about', revalidate: 0, title: 'About (revalidate: 0, on demand only)' },
];

const STEPS = 6;
let stepNumber = 0;
let currentStep = 'start';
/** The started server, stopped on every way out (Ctrl-C, a failed check, a broken pipe). */
let runningServer;
let stopping = false;
/** True while the server process may exist but its handle is not known yet. */
let starting = false;

/** Seconds since `started`, one decimal. */
const secondsSince = (started) => ((Date.now() - started) / 1000).toFixed(1);

/**
 * Runs one numbered step with a progress line and its duration. While it runs, it prints
 * `... <label>: <n> s` every `progressMs` (on a terminal, one line updated in place).
 */
async function step(label, work) {
  stepNumber += 1;
  currentStep = label;
  const started = Date.now();
  const number = `[${stepNumber}/${STEPS}]`;
  console.log(`${number} ${label} ...`);
  const tty = process.stdout.isTTY;
  let ticked = false;
  const ticker = setInterval(() => {
    const line = `      ... still working on ${number}: ${Math.round((Date.now() - started) / 1000)} s`;
    ticked = true;
    if (tty) {
      process.stdout.write(`\r${line}`);
    } else {
      console.log(line);
    }
  }, progressMs);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
    if (tty && ticked) {
      process.stdout.write('\r\x1b[2K');
    }
    console.log(`      done in ${secondsSince(started)} s`);
  }
}

const detail = (line) => console.log(`      ${line}`);

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** 4000 (or $PORT) when it is free, else any free port. */
function pickPort(preferred) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      const fallback = createServer();
      fallback.listen(0, () => {
        const { port } = fallback.address();
        fallback.close(() => resolve(port));
      });
    });
    probe.listen(preferred, () => probe.close(() => resolve(preferred)));
  });
}

async function main() {
  const cliVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies['@angular/cli'].replace(/^[\^~]/, '');
  const app = appForCli(cliVersion);
  const demoDir = join(cacheRoot(), 'demo');
  const workDir = join(demoDir, app.name);
  const stateFile = join(workDir, '.ng-isr-demo.json');
  mkdirSync(demoDir, { recursive: true });
  console.log(`ng-isr demo: Angular ${cliVersion} app in ${workDir}`);

  const tarball = await step('build and pack ng-isr', () => packNgIsr(root, demoDir));
  const tarballSha = sha256(tarball);
  const nodeBin = await nodeBinDir(app.nodeMajor, detail);
  const env = appEnv(nodeBin);

  const previous = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : undefined;
  const reusable = !fresh && previous?.tarballSha === tarballSha && previous?.cli === cliVersion && existsSync(previous.entry);
  let entry;
  if (reusable) {
    stepNumber += 4;
    console.log(`[2-5/${STEPS}] reusing the app built by the last run for this ng-isr build (--fresh to redo it)`);
    entry = previous.entry;
  } else {
    const label = isPristineAppCached(app)
      ? `reuse the Angular ${cliVersion} SSR app a previous run generated (ng new)`
      : `generate an Angular ${cliVersion} SSR app (ng new + npm install, a few minutes; kept for later runs)`;
    const pristine = await step(label, () => ensurePristineApp(app, detail));
    await step('copy it to a fresh folder, install the ng-isr tarball, ng add ng-isr', async () => {
      rmSync(stateFile, { force: true });
      copyApp(pristine, workDir);
      await addNgIsr(workDir, tarball, env);
    });
    await step(`ng generate ng-isr:isr-route: ${PAGES.map((p) => `/${p.path} (revalidate ${p.revalidate})`).join(', ')}`, async () => {
      for (const page of PAGES) {
        await generateIsrRoute(workDir, env, page.path, page.revalidate);
        // A visible render time, a button and links, so the effect of ISR shows in a browser.
        decoratePage(workDir, page.path, { title: page.title, links: PAGES.filter((other) => other !== page).map((other) => other.path) });
      }
    });
    entry = await step('ng build', () => buildApp(workDir, app.name, env));
    writeFileSync(stateFile, JSON.stringify({ tarballSha, cli: cliVersion, entry }, null, 2) + '\n');
  }

  const token = randomBytes(16).toString('hex');
  const port = await pickPort(Number(process.env.PORT || 4000));
  starting = true;
  const server = await step(`start the server (node ${entry.slice(workDir.length + 1)})`, async () => {
    return startServer(entry, {
      nodeBin,
      port,
      env: { ...env, NG_ALLOWED_HOSTS: '127.0.0.1,localhost', ISR_INVALIDATE_TOKEN: token },
      stdio: serve ? 'inherit' : 'pipe',
    });
  });
  runningServer = server;
  starting = false;
  if (stopping) {
    // Ctrl-C or a closed stdout arrived while the server was starting.
    await stopServer();
    process.exit(1);
  }
  const url = server.url.replace('127.0.0.1', 'localhost');

  if (!serve) {
    console.log(`\n--no-serve: checking the server at ${url}/news (token ${token}), then stopping it`);
    console.log(`self-check: ${await checkServer(server.url, token)}`);
    await stopServer();
    console.log('self-check passed; server stopped. Run `npm run demo` (without --no-serve) to keep it running and try it yourself.');
    return;
  }

  // The app has no home page ('/' answers 404): the headline links the ISR pages.
  console.log(`
ng-isr demo is running: ${url}/${PAGES[0].path}
  pages: ${PAGES.map((p) => `${url}/${p.path} (revalidate ${p.revalidate})`).join(', ')}
  token: ${token}   (ISR_INVALIDATE_TOKEN of this server)

See the cache at work (MISS, then HIT; STALE once 10 s have passed, then the regenerated page):
  curl -s -o /dev/null -D - ${url}/news | grep -i x-isr-cache

Invalidate on demand (/about is rendered again at once; the next request is a HIT with the new render time):
  curl -s -X POST ${url}/api/invalidate -H 'content-type: application/json' -d '{"token":"${token}","urlsToInvalidate":["/about"]}'
  cd ${workDir} && ISR_INVALIDATE_TOKEN=${token} npx ng run ${app.name}:isr-invalidate --base-url ${url} --urls /about
`);
  console.log('Press Ctrl-C to stop.');
  currentStep = 'serve';
  const exit = await server.exited;
  if (!stopping) {
    throw new Error(`the server stopped by itself (code ${exit.code}, signal ${exit.signal})`);
  }
}

async function stopServer() {
  stopping = true;
  await runningServer?.stop();
}

/** Stops the server (once it is known, if it is still starting) and exits. */
function shutdown(code) {
  stopping = true;
  if (starting) {
    return; // main() stops it as soon as startServer() hands it over
  }
  if (!runningServer) {
    process.exit(code); // synchronously: nothing may be started after this point
  }
  runningServer.stop().then(() => process.exit(code));
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the demo server.`);
    shutdown(0);
  });
}
// A closed stdout (e.g. `npm run demo | head`) must not leave the server running.
process.stdout.on('error', () => shutdown(1));

/** MISS then HIT on /news, and a 200 from the invalidate endpoint: proves the wiring. */
async function checkServer(baseUrl, token) {
  currentStep = 'self-check';
  const states = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${baseUrl}/news`);
    await response.text();
    states.push(`${response.status} ${response.headers.get('x-isr-cache')}`);
  }
  const invalidate = await fetch(`${baseUrl}/api/invalidate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, urlsToInvalidate: ['/news'] }),
  });
  const result = await invalidate.json();
  if (states.join() !== '200 MISS,200 HIT' || invalidate.status !== 200) {
    throw new Error(
      `unexpected answers: GET /news twice -> ${states.join(', ')}; POST /api/invalidate -> ${invalidate.status} ${JSON.stringify(result)}`,
    );
  }
  return `GET /news -> ${states.join(', then ')}; POST /api/invalidate -> 200 ${JSON.stringify(result)}`;
}

main().catch(async (error) => {
  const message = error?.name === 'StepError' ? error.message : `step "${currentStep}" failed: ${error?.message ?? error}`;
  console.error(`\nng-isr demo failed.\n${message}`);
  await stopServer();
  process.exit(1);
});
