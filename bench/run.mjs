// `npm run bench`: one run, on one real Angular app and page, side by side:
//   plain Angular SSR | Express res.end(buffer) (the limit) | bare node:http res.end(buffer) (the
//   limit below Express) | ng-isr HIT (fast path: memory, filesystem, Redis; identity and br; the
//   100 KB page; middleware only) | @rx-angular/isr HIT
// plus renders per 100 concurrent requests (cold and stale), RSS after 1,000,000 distinct URLs
// with a 64 MiB cache, and the time to invalidate 1,000 cached URLs. Writes docs/benchmarks.md
// and docs/benchmarks.svg. Servers run in their own processes; the load comes from wrk when it is
// installed (bench/lib/load.mjs says why), else from autocannon in this process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAME, ANGULAR_VERSION, RX_ANGULAR_ISR_VERSION, apps, prepareApps, serverEntry } from './lib/apps.mjs';
import { freePort, log, startServer } from './lib/exec.mjs';
import { get, postJson, settledRenders } from './lib/http.mjs';
import { load, loadClient } from './lib/load.mjs';
import { startRedisCluster } from './lib/redis-cluster.mjs';
import { writeReport } from './lib/report.mjs';

const benchDir = new URL('.', import.meta.url).pathname;
const repoDir = join(benchDir, '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP_S = 1;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const RSS_URLS = Number(process.env.BENCH_RSS_URLS ?? 1_000_000);
const RSS_SECONDS = Number(process.env.BENCH_RSS_SECONDS ?? 180);
const INVALIDATE_URLS = Number(process.env.BENCH_INVALIDATE_URLS ?? 1000);
// @rx-angular/isr's invalidation renders one page after another: opt in (it adds minutes).
const RX_INVALIDATION = process.env.BENCH_RX_INVALIDATION === '1';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'bench-token-not-a-secret';
const PAGE = '/bench';
/** The same list with more articles, about 100 KB (the large-page rows). */
const LARGE_PAGE = '/bench-100k';
const ANGULAR_ENV = { NG_ALLOWED_HOSTS: '127.0.0.1,localhost', NODE_ENV: 'production' };
const started = Date.now();

function machine() {
  const sh = (command, args) => execFileSync(command, args, { encoding: 'utf8' }).trimEnd();
  return {
    nproc: sh('nproc', []),
    free: sh('free', ['-h']),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel: sh('uname', ['-sr']),
    load: sh('cat', ['/proc/loadavg']).split(' ').slice(0, 3).join(' '),
    date: new Date().toISOString(),
  };
}

const CLIENT = loadClient();

function generateLoad(url, headers, duration) {
  return load(CLIENT, url, headers, CONNECTIONS, duration);
}

/** Warm-up run, then the measured run; checks the answers and counts renders when it can. */
async function measure(label, server, origin, headers, { expectCache, countRenders = true, path = PAGE } = {}) {
  const probe = await get(`${origin}${path}`, headers);
  if (probe.status !== 200 || (expectCache && probe.headers['x-isr-cache'] !== expectCache)) {
    throw new Error(
      `${label}: GET ${path} answered ${probe.status} with x-isr-cache ${probe.headers['x-isr-cache']}` +
        `${expectCache ? ` (expected ${expectCache})` : ''}; server output:\n${server.output().slice(-2_000)}`,
    );
  }
  await generateLoad(`${origin}${path}`, headers, WARMUP_S);
  const before = countRenders ? await settledRenders(origin, 300) : undefined;
  const result = await generateLoad(`${origin}${path}`, headers, DURATION_S);
  const rssBytes = server.rssBytes();
  const after = countRenders ? await settledRenders(origin, 300) : undefined;
  const row = {
    label,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    requests: result.total,
    non2xx: result.non2xx,
    errors: result.errors,
    rssBytes,
    bodyBytes: probe.body.length,
    encoding: probe.headers['content-encoding'] ?? 'identity',
    renders: before === undefined ? undefined : after - before,
    page: path === LARGE_PAGE ? 'large' : 'small',
    // Express sets X-Powered-By on every request its router sees; the fast path never does.
    viaExpress: probe.headers['x-powered-by'] === 'Express',
  };
  log(
    `  ${label}: ${Math.round(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ` +
      `RSS ${(rssBytes / 2 ** 20).toFixed(0)} MiB, ${row.bodyBytes} B ${row.encoding}, renders ${row.renders ?? '-'}`,
  );
  return row;
}

async function angularServer(name, appDir, env = {}) {
  const port = await freePort();
  const server = await startServer(name, process.execPath, [serverEntry(appDir)], {
    cwd: appDir,
    env: { ...ANGULAR_ENV, PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/__bench/stats`,
  });
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** 100 concurrent requests to one URL; renders counted once background work settled. */
async function stampede(origin, path, n = 100) {
  const before = await settledRenders(origin);
  const answers = await Promise.all(Array.from({ length: n }, () => get(`${origin}${path}`)));
  const after = await settledRenders(origin);
  const statuses = {};
  for (const answer of answers) {
    const key = `${answer.status}${answer.headers['x-isr-cache'] ? ` ${answer.headers['x-isr-cache']}` : ''}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return { renders: after - before, statuses };
}

async function stampedes(origin) {
  const id = Date.now().toString(36);
  const cold = await stampede(origin, `/item/cold-${id}`);
  const stalePath = `/item/stale-${id}`;
  const first = await get(`${origin}${stalePath}`);
  if (first.status !== 200) throw new Error(`GET ${stalePath} answered ${first.status}`);
  const storedAt = Date.now();
  await settledRenders(origin);
  // The item route has data: { revalidate: 2 }; wait until the stored page is stale.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2_300 - (Date.now() - storedAt))));
  const stale = await stampede(origin, stalePath);
  return { cold, stale };
}

/** Renders `count` item pages (bounded concurrency), then times their invalidation. */
async function invalidation(origin, count, send) {
  const paths = Array.from({ length: count }, (_, i) => `/item/inv-${i}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < paths.length) {
        const path = paths[next++];
        const res = await get(`${origin}${path}`);
        if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      }
    }),
  );
  const before = await settledRenders(origin);
  const t0 = performance.now();
  const invalidated = await send(paths);
  const ms = performance.now() - t0;
  const after = await settledRenders(origin);
  return { urls: count, ms, invalidated, renders: after - before };
}

async function ngIsrInvalidate(origin, paths) {
  let invalidated = 0;
  for (let i = 0; i < paths.length; i += 100) {
    const res = await postJson(
      `${origin}/api/invalidate`,
      { urlsToInvalidate: paths.slice(i, i + 100) },
      { authorization: `Bearer ${TOKEN}` },
    );
    if (res.status !== 200) throw new Error(`ng-isr invalidate answered ${res.status}: ${res.text}`);
    invalidated += res.json.invalidated.length;
  }
  return invalidated;
}

async function rxInvalidate(origin, paths) {
  const res = await postJson(`${origin}/api/invalidate`, { token: TOKEN, urlsToInvalidate: paths });
  if (res.status !== 200 || res.json?.status !== 'success')
    throw new Error(`@rx-angular/isr invalidate answered ${res.status}: ${res.text.slice(0, 200)}`);
  return res.json.invalidatedUrls.length;
}

async function clearRedisPrefix(prefix) {
  const { createClient } = await import('redis');
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  let removed = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    const batch = Array.isArray(keys) ? keys : [keys];
    if (batch.length > 0) removed += await client.del(batch);
  }
  await client.quit();
  return removed;
}

/** Starts every server of the comparison (idle until measured) and returns the scenarios. */
async function startAll(results, servers, rxError) {
  const accept = { identity: { 'accept-encoding': 'identity' }, br: { 'accept-encoding': 'br' } };
  const up = async (name, appDir, env) => {
    const started = await angularServer(name, appDir, env);
    servers.push(started.server);
    return started;
  };
  const plain = await up('plain', apps.plain, {});
  const memory = await up('ng-isr memory', apps.isr, { BENCH_CACHE: 'memory', ISR_INVALIDATE_TOKEN: TOKEN });
  const fsDir = mkdtempSync(join(tmpdir(), 'ng-isr-bench-fs-'));
  results.cleanup.push(() => rmSync(fsDir, { recursive: true, force: true }));
  const filesystem = await up('ng-isr filesystem', apps.isr, { BENCH_CACHE: 'filesystem', BENCH_CACHE_DIR: fsDir });
  const prefix = `ng-isr-bench:${process.pid}:`;
  results.cleanup.push(() => clearRedisPrefix(prefix));
  const redis = await up('ng-isr redis', apps.isr, { BENCH_CACHE: 'redis', REDIS_URL, BENCH_REDIS_PREFIX: prefix });
  const layerPrefix = `ng-isr-bench:${process.pid}:layer:`;
  results.cleanup.push(() => clearRedisPrefix(layerPrefix));
  const redisLayer = await up('ng-isr redis + memoryLayer', apps.isr, {
    BENCH_CACHE: 'redis-layer',
    REDIS_URL,
    BENCH_REDIS_PREFIX: layerPrefix,
  });
  const middleware = await up('ng-isr memory, middleware only', apps.isr, { BENCH_CACHE: 'memory', BENCH_MIDDLEWARE_ONLY: '1' });
  // Redis Cluster rows: a 3-master cluster of its own, with the default in-process copy and without.
  const redisCluster = await startRedisCluster();
  results.cleanup.push(() => redisCluster.stop());
  const clusterEnv = (label, memoryLayer) => ({
    BENCH_CACHE: 'redis-cluster',
    REDIS_CLUSTER_NODES: redisCluster.rootNodes.join(','),
    BENCH_REDIS_PREFIX: `ng-isr-bench:${process.pid}:${label}:`,
    BENCH_REDIS_MEMORY_LAYER: memoryLayer,
  });
  const cluster = await up('ng-isr redis cluster', apps.isr, clusterEnv('cluster', 'on'));
  const clusterNoCopy = await up('ng-isr redis cluster, memoryLayer off', apps.isr, clusterEnv('cluster-nocopy', 'off'));
  const rx = rxError ? undefined : await up('@rx-angular/isr', apps.rx, { ISR_INVALIDATE_TOKEN: TOKEN });

  // The page as ng-isr stores it: the bytes the limit server sends, and the RSS probe's page.
  const miss = await get(`${memory.origin}${PAGE}`, accept.identity);
  if (miss.headers['x-isr-cache'] !== 'MISS') throw new Error(`ng-isr first request: x-isr-cache ${miss.headers['x-isr-cache']}`);
  const hit = await get(`${memory.origin}${PAGE}`, accept.identity);
  const dir = mkdtempSync(join(tmpdir(), 'ng-isr-bench-'));
  results.cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  results.pageFile = join(dir, 'page.html');
  writeFileSync(results.pageFile, hit.body);
  const item = await get(`${memory.origin}/item/rss-sample`, accept.identity);
  results.itemPageFile = join(dir, 'item.html');
  writeFileSync(results.itemPageFile, item.body);
  const large = await get(`${memory.origin}${LARGE_PAGE}`, accept.identity);
  if (large.status !== 200) throw new Error(`GET ${LARGE_PAGE} answered ${large.status}`);
  results.largePageFile = join(dir, 'page-100k.html');
  writeFileSync(results.largePageFile, large.body);
  const contentType = hit.headers['content-type'];

  const limits = {};
  const limitServers = [
    ['identity', 'identity', 'express', results.pageFile],
    ['br', 'br', 'express', results.pageFile],
    ['bare', 'identity', 'bare', results.pageFile],
    ['largeIdentity', 'identity', 'express', results.largePageFile],
    ['largeBare', 'identity', 'bare', results.largePageFile],
  ];
  for (const [name, encoding, kind, pageFile] of limitServers) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = await startServer(
      `limit ${name}`,
      process.execPath,
      [join(benchDir, 'lib/limit-server.mjs'), String(port), pageFile, contentType, encoding, kind],
      {
        cwd: repoDir,
        readyUrl: `${origin}/`,
      },
    );
    servers.push(server);
    limits[name] = { server, origin };
  }
  for (const target of [filesystem, redis, redisLayer, middleware, cluster, clusterNoCopy, rx]) {
    if (target) await get(`${target.origin}${PAGE}`);
  }
  await get(`${middleware.origin}${LARGE_PAGE}`);
  const scenario = (group, label, target, headers, options = {}) => ({ group, label, ...target, headers, options });
  return {
    memory,
    rx,
    scenarios: [
      scenario('plain', 'Angular SSR (no cache)', plain, accept.identity),
      scenario('limit', 'Express res.end(buffer)', limits.identity, accept.identity, { countRenders: false }),
      scenario('limit', 'Express res.end(buffer), br', limits.br, accept.br, { countRenders: false }),
      scenario('limit', 'bare node:http res.end(buffer)', limits.bare, accept.identity, { countRenders: false }),
      scenario('limit', 'Express res.end(buffer), 100 KB', limits.largeIdentity, accept.identity, { countRenders: false }),
      scenario('limit', 'bare node:http res.end(buffer), 100 KB', limits.largeBare, accept.identity, { countRenders: false }),
      scenario('ng-isr', 'ng-isr HIT, memory', memory, accept.identity, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, memory, 100 KB', memory, accept.identity, { expectCache: 'HIT', path: LARGE_PAGE }),
      scenario('ng-isr', 'ng-isr HIT, memory, middleware only', middleware, accept.identity, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, memory, 100 KB, middleware only', middleware, accept.identity, {
        expectCache: 'HIT',
        path: LARGE_PAGE,
      }),
      scenario('ng-isr', 'ng-isr HIT, memory, br', memory, accept.br, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, filesystem', filesystem, accept.identity, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, filesystem, br', filesystem, accept.br, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, Redis', redis, accept.identity, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, Redis, br', redis, accept.br, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, Redis + memoryLayer', redisLayer, accept.identity, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, Redis Cluster (3 masters)', cluster, accept.identity, { expectCache: 'HIT' }),
      scenario('ng-isr', 'ng-isr HIT, Redis Cluster, memoryLayer: false', clusterNoCopy, accept.identity, { expectCache: 'HIT' }),
      ...(rx
        ? [scenario('rx', '@rx-angular/isr HIT', rx, accept.identity), scenario('rx', '@rx-angular/isr HIT, br requested', rx, accept.br)]
        : []),
    ],
  };
}

async function main() {
  const results = { machine: machine(), throughput: [], cleanup: [] };
  log(`ng-isr benchmark: ${results.machine.nproc} cores, Node ${results.machine.node}, load ${results.machine.load}`);
  const { rxError } = await prepareApps();
  results.rxError = rxError;
  const servers = [];
  try {
    log('starting the servers');
    const { memory, rx, scenarios } = await startAll(results, servers, rxError);

    // Requests per second: every scenario once per round, rounds one after another, so that a
    // change in the machine's load hits every scenario alike; the best round counts.
    const rounds = scenarios.map(() => []);
    for (let round = 1; round <= ROUNDS; round++) {
      log(`throughput, round ${round} of ${ROUNDS}`);
      for (const [i, s] of scenarios.entries()) {
        rounds[i].push(await measure(s.label, s.server, s.origin, s.headers, s.options));
      }
    }
    results.throughput = scenarios.map((s, i) => ({
      group: s.group,
      rounds: rounds[i].map((row) => Math.round(row.rps)),
      ...rounds[i].reduce((best, row) => (row.rps > best.rps ? row : best)),
    }));

    log('stampedes: ng-isr');
    results.ngIsrStampede = await stampedes(memory.origin);
    log(`  cold ${JSON.stringify(results.ngIsrStampede.cold)} stale ${JSON.stringify(results.ngIsrStampede.stale)}`);
    if (rx) {
      log('stampedes: @rx-angular/isr');
      results.rxStampede = await stampedes(rx.origin);
      log(`  cold ${JSON.stringify(results.rxStampede.cold)} stale ${JSON.stringify(results.rxStampede.stale)}`);
    }
    log(`invalidating ${INVALIDATE_URLS} URLs: ng-isr`);
    results.ngIsrInvalidation = await invalidation(memory.origin, INVALIDATE_URLS, (paths) => ngIsrInvalidate(memory.origin, paths));
    log(`  ${JSON.stringify(results.ngIsrInvalidation)}`);
    if (rx && RX_INVALIDATION) {
      log(`invalidating ${INVALIDATE_URLS} URLs: @rx-angular/isr`);
      results.rxInvalidation = await invalidation(rx.origin, INVALIDATE_URLS, (paths) => rxInvalidate(rx.origin, paths));
      log(`  ${JSON.stringify(results.rxInvalidation)}`);
    }
  } finally {
    for (const server of servers) await server.stop();
  }

  // RSS after many distinct URLs: in-process ISRHandler + cheap engine, in its own process.
  log(`RSS after ${RSS_URLS} distinct URLs (bounded by ${RSS_SECONDS} s)`);
  // ng-isr with Node's defaults; the same bodies in a bare lru-cache (control: what Node itself keeps);
  // ng-isr with a 1 MiB young generation (the flag docs/benchmarks.md discusses).
  const rssProbe = (mode, flags = []) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--expose-gc',
          ...flags,
          join(benchDir, 'lib/rss-probe.mjs'),
          join(repoDir, 'dist/runtime'),
          results.itemPageFile,
          String(RSS_URLS),
          String(RSS_SECONDS),
          mode,
        ],
        { encoding: 'utf8', timeout: (RSS_SECONDS + 60) * 1000, maxBuffer: 16 * 1024 * 1024 },
      )
        .trim()
        .split('\n')
        .pop(),
    );
  results.rss = rssProbe('isr');
  results.rssBare = rssProbe('bare');
  results.rssSmallYoung = rssProbe('isr', ['--max-semi-space-size=1']);
  log(
    `  ${results.rss.urls} URLs in ${results.rss.seconds.toFixed(0)} s: RSS ${(results.rss.endRss / 2 ** 20).toFixed(0)} MiB (peak ${(results.rss.peakRss / 2 ** 20).toFixed(0)} MiB), cache ${results.rss.cacheEntries} entries`,
  );

  for (const cleanup of results.cleanup) await cleanup();
  delete results.cleanup;
  results.versions = {
    angular: ANGULAR_VERSION,
    rxAngularIsr: RX_ANGULAR_ISR_VERSION,
    app: APP_NAME,
    ngIsr: JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).version,
  };
  results.settings = { durationS: DURATION_S, warmupS: WARMUP_S, connections: CONNECTIONS, rounds: ROUNDS, client: CLIENT };
  results.elapsedS = (Date.now() - started) / 1000;
  results.machine.loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  writeFileSync(join(benchDir, '.work/results.json'), JSON.stringify(results, null, 2));
  writeReport(results, join(repoDir, 'docs'));
  log(`wrote docs/benchmarks.md and docs/benchmarks.svg (${results.elapsedS.toFixed(0)} s)`);
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
