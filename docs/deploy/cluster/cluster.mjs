// Runs an Angular SSR server (dist/<app>/server/server.mjs, wired by `ng add ng-isr`) in several
// worker processes that share one port, with Node's own `cluster` module:
//
//   WEB_CONCURRENCY=4 REDIS_URL=redis://127.0.0.1:6379 node cluster.mjs dist/my-app/server/server.mjs
//
// Each worker runs server.mjs as its main module, so Angular's `isMainModule(import.meta.url)`
// check starts the listener; the primary hands connections to the workers in turn. Every worker
// has its own ISRHandler: give them one RedisCacheHandler tier so that a page rendered by one
// worker is a HIT on all of them and a stale page is regenerated once for the whole group.
//
// SIGTERM / SIGINT: the primary stops restarting workers and forwards the signal; each worker
// drains (server.close(), await isr.close()) and exits. Workers still running after
// SHUTDOWN_TIMEOUT_MS + 5 s are killed; the primary exits 0 only when every worker exited cleanly.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const entry = process.argv[2] ?? process.env.SERVER_ENTRY;
if (!entry) {
  console.error('usage: node cluster.mjs dist/<app>/server/server.mjs (or set SERVER_ENTRY)');
  process.exit(64);
}
const workers = Math.max(1, Number(process.env.WEB_CONCURRENCY) || availableParallelism());
const shutdownMs = Number(process.env.SHUTDOWN_TIMEOUT_MS) || 25_000;
/** A worker that dies within this time of its start counts as a crash loop. */
const CRASH_WINDOW_MS = 10_000;

// Absolute, so that process.argv[1] in the worker equals server.mjs's own path (isMainModule).
cluster.setupPrimary({ exec: resolve(entry) });

let stopping = false;
const startedAt = new Map();
let quickDeaths = 0;

function fork() {
  const worker = cluster.fork();
  startedAt.set(worker.id, Date.now());
}

cluster.on('exit', (worker, code, signal) => {
  const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
  startedAt.delete(worker.id);
  if (stopping) return;
  console.error(`[cluster] worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
  quickDeaths = lived < CRASH_WINDOW_MS ? quickDeaths + 1 : 0;
  if (quickDeaths > workers * 3) {
    console.error('[cluster] workers keep crashing on start; giving up');
    process.exit(1);
  }
  // Back off a little when workers die young (a bad deploy, Redis refusing connections).
  setTimeout(fork, Math.min(200 * 2 ** quickDeaths, 10_000));
});

function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const running = Object.values(cluster.workers ?? {}).filter(Boolean);
  console.log(`[cluster] ${signal}: stopping ${running.length} workers`);
  let clean = true;
  const exits = running.map(
    (worker) =>
      new Promise((done) => {
        worker.once('exit', (code, sig) => {
          if (code !== 0) clean = false;
          console.log(`[cluster] worker ${worker.process.pid} exited (${sig ?? code})`);
          done();
        });
        worker.process.kill(signal);
      }),
  );
  const force = setTimeout(() => {
    console.error('[cluster] workers did not stop in time; killing them');
    for (const worker of running) worker.process.kill('SIGKILL');
  }, shutdownMs + 5_000);
  force.unref();
  Promise.all(exits).then(() => process.exit(clean ? 0 : 1));
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

console.log(`[cluster] primary ${process.pid}: ${workers} workers running ${entry}`);
for (let i = 0; i < workers; i++) fork();
