// Child process of `npm run stress`: one ISRHandler behind Express on 127.0.0.1 with an in-process
// engine (given delay and page size; 'stuck' renders ignore the abort signal). Measures its own
// RSS and event-loop delay and answers the parent's questions over IPC.
import express from 'express';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FileSystemCacheHandler, ISRHandler, MemoryCacheHandler, RedisCacheHandler } from '../dist/runtime/server.js';
import { pageFor } from './stress-page.mjs';

const config = JSON.parse(process.argv[2]);
const renders = new Map();
let running = 0;
let peakRunning = 0;
const stuck = [];

const engine = {
  async render(request) {
    const path = new URL(request.url).pathname;
    renders.set(path, (renders.get(path) ?? 0) + 1);
    running++;
    peakRunning = Math.max(peakRunning, running);
    try {
      if (config.mode === 'stuck') {
        // Ignores request.signal: ends only when the parent says so.
        await new Promise((resolve) => stuck.push(resolve));
        throw new Error('stuck render ended');
      }
      await new Promise((resolve) => setTimeout(resolve, config.delayMs));
      request.context.revalidate = config.revalidate ?? 60;
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(pageFor(path, config.pageBytes)) };
    } finally {
      running--;
    }
  },
};

const lines = [];
const quiet = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };

function cacheFor() {
  switch (config.tier) {
    case 'filesystem':
      return new FileSystemCacheHandler({
        directory: config.directory,
        memoryLayer: false,
        maxBytes: 2 * 1024 * 1024 * 1024,
        logger: quiet,
      });
    case 'redis':
      return new RedisCacheHandler({
        url: config.redisUrl,
        keyPrefix: 'stress:',
        commandTimeoutMs: 200,
        memoryLayer: false,
        logger: quiet,
      });
    default:
      return new MemoryCacheHandler();
  }
}

const causes = {};
const isr = new ISRHandler({
  engine,
  cache: cacheFor(),
  logger: quiet,
  compress: false,
  buildId: false,
  onEvent: (event) => {
    if (event.type === 'render' || event.type === 'cache-error') {
      const name = event.type === 'render' ? `render:${event.cause}` : `cache-error:${event.operation}`;
      causes[name] = (causes[name] ?? 0) + 1;
    }
  },
  ...config.options,
});
const app = express();
app.use((req, res, next) => isr.handle(req, res, next));
app.use((_req, res) => res.status(404).end());
app.use((error, _req, res, _next) => {
  lines.push(`500: ${error?.stack ?? error}`);
  res.status(500).end();
});

const delay = monitorEventLoopDelay({ resolution: 10 });
let peakRss = process.memoryUsage().rss;
let baselineRss = peakRss;
// Bytes written to sockets the client has not read yet: what slow readers keep in this process.
const sockets = new Set();
let peakUnsent = 0;
let peakArrayBuffers = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
  let unsent = 0;
  for (const socket of sockets) unsent += socket.writableLength;
  peakUnsent = Math.max(peakUnsent, unsent);
}, 20);

const server = app.listen(0, '127.0.0.1', () => {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  process.send({ type: 'ready', port: server.address().port });
});

process.on('message', async (message) => {
  if (message.type === 'measure') {
    delay.reset();
    delay.enable();
    baselineRss = peakRss = process.memoryUsage().rss;
    peakUnsent = peakArrayBuffers = 0;
    process.send({ type: 'measuring' });
  } else if (message.type === 'report') {
    delay.disable();
    // What is still referenced after a full collection (peak figures may include garbage not yet collected).
    globalThis.gc?.();
    const retainedArrayBuffers = process.memoryUsage().arrayBuffers;
    process.send({
      type: 'report',
      baselineRss,
      peakRss,
      eventLoopP99Ms: delay.percentile(99) / 1e6,
      eventLoopMaxMs: delay.max / 1e6,
      renders: Object.fromEntries(renders),
      running,
      peakRunning,
      peakUnsentBytes: peakUnsent,
      peakArrayBuffers,
      retainedArrayBuffers,
      logLines: lines.slice(0, 20),
      events: causes,
    });
  } else if (message.type === 'unstick') {
    stuck.splice(0).forEach((release) => release());
    process.send({ type: 'unstuck' });
  } else if (message.type === 'exit') {
    clearInterval(sampler);
    stuck.splice(0).forEach((release) => release());
    await isr.close().catch(() => undefined);
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('uncaughtException', (error) => {
  process.send({ type: 'crash', message: String(error?.stack ?? error) });
  process.exit(70);
});
process.on('unhandledRejection', (error) => {
  process.send({ type: 'crash', message: `unhandled rejection: ${String(error?.stack ?? error)}` });
  process.exit(71);
});
