// Stands in for an `ng add`ed app's dist/<app>/server/server.mjs in the cluster test: Express,
// the package's public entry (dist/runtime/index.js, as `import { ISRHandler } from 'ng-isr'`),
// one RedisCacheHandler, a renderer that logs each render, and the graceful shutdown that
// docs/deploy.md describes. Started by docs/deploy/cluster/cluster.mjs as a cluster worker.
// The app bundle is AOT-compiled; this plain-node stand-in loads Angular's JIT compiler instead,
// because the public entry also exports provideISR().
import '@angular/compiler';
import express from 'express';
import { ISRHandler, RedisCacheHandler } from '../../../../dist/runtime/index.js';

const SHUTDOWN_TIMEOUT_MS = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000);
// Background regenerations (no visitor request) of /news are slow, so that a burst of requests
// all find the page STALE however slow the machine is.
const pages = {
  '/news': { revalidate: 2, delayMs: 100, regenerationDelayMs: 3_000 },
  '/slow': { revalidate: 60, delayMs: 1_500 },
};
let renders = 0;

const engine = {
  async render(request) {
    const path = new URL(request.url).pathname;
    const page = pages[path];
    if (!page) return null;
    renders++;
    // MISS renders and regenerations both come without the visitor's request; a regeneration
    // replaces an entry the shared tier already holds.
    const regeneration = request.nodeRequest === undefined && (await isr.cache.get(path)) !== undefined;
    console.log(`render ${process.pid} ${path}${regeneration ? ' (background)' : ''}`);
    await new Promise((resolve) => setTimeout(resolve, regeneration ? (page.regenerationDelayMs ?? page.delayMs) : page.delayMs));
    request.context.revalidate = page.revalidate;
    const body = `<!doctype html><html><body><app-root ng-server-context="ssr">${path} by ${process.pid} #${renders}</app-root></body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(body) };
  },
};

const isr = new ISRHandler({
  engine,
  cache: new RedisCacheHandler({ url: process.env.REDIS_URL, keyPrefix: process.env.KEY_PREFIX }),
  // Plain keys (no build namespace), so the engine above can look its own entry up by path.
  buildId: false,
  logger: false,
});

let shuttingDown = false;
const app = express();
app.get('/healthz', (_req, res) => {
  res
    .status(shuttingDown ? 503 : 200)
    .type('text/plain')
    .send(shuttingDown ? 'stopping' : 'ok');
});
app.use((_req, res, next) => {
  res.setHeader('x-worker', String(process.pid));
  next();
});
app.use((req, res, next) => isr.handle(req, res, next));

const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening ${process.pid}`));

process.once('SIGTERM', async () => {
  shuttingDown = true;
  const force = setTimeout(() => {
    console.log(`forced exit ${process.pid}`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  force.unref();
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  await closed;
  await isr.close();
  console.log(`drained ${process.pid}`);
  process.exit(0);
});
