// Child process: sends up to N distinct URLs (paths and query strings) through ONE ISRHandler with
// a 64 MiB MemoryCacheHandler and a cheap engine (no Angular render: a full render per URL would
// take hours), calling `isr.handle` in-process with minimal request/response objects, and reports
// the process's RSS along the way. Bounded by count and by time.
//   node rss-probe.mjs <dist/runtime folder> <page.html> <count> <seconds> [isr|bare]
// `bare` is the control: the same bodies stored straight into an lru-cache bounded by the same
// bytes, without ng-isr, to tell what the handler holds from what Node's heap and allocator keep.
// (The handler and the tier are imported from their own modules: the package entry also exports
// provideISR, which needs the Angular compiler outside an Angular build.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [runtimeDir, pageFile, countArg, secondsArg, mode = 'isr'] = process.argv.slice(2);
const { ISRHandler } = await import(pathToFileURL(join(runtimeDir, 'isr-handler.js')).href);
const { MemoryCacheHandler } = await import(pathToFileURL(join(runtimeDir, 'cache/memory-cache-handler.js')).href);
const page = readFileSync(pageFile, 'utf8');
const total = Number(countArg);
const deadline = Date.now() + Number(secondsArg) * 1000;
const maxBytes = 64 * 1024 * 1024;

const cache = new MemoryCacheHandler({ maxBytes });
let renders = 0;
const { LRUCache } = await import('lru-cache');
const bare = new LRUCache({ maxSize: maxBytes, sizeCalculation: (body) => body.length + 512 });
/** A distinct body per URL, as a real page would be (title and heading name the URL). */
const bodyFor = (url) => Buffer.from(page.replace('<title>', `<title>${url.pathname}${url.search} `));
const isr = new ISRHandler({
  engine: {
    async render(request) {
      renders++;
      request.context.revalidate = 3600;
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: bodyFor(new URL(request.url)) };
    },
  },
  cache,
  allowedQueryParams: ['q', 'page'],
  compress: false,
  logger: false,
});

function fakeRequest(url) {
  return { method: 'GET', url, originalUrl: url, headers: { host: '127.0.0.1', accept: 'text/html' }, socket: {} };
}

function fakeResponse() {
  return {
    statusCode: 0,
    writeHead(status) {
      this.statusCode = status;
      return this;
    },
    setHeader() {},
    end() {},
  };
}

const rss = () => process.memoryUsage().rss;
const samples = [];
const startRss = rss();
let peak = startRss;
let done = 0;
let failures = 0;
const started = Date.now();
for (; done < total && Date.now() < deadline; done++) {
  const url = done % 2 === 0 ? `/articles/${done}` : `/search?q=term-${done}&page=${done % 7}`;
  if (mode === 'bare') {
    renders++;
    bare.set(url, bodyFor(new URL(url, 'http://127.0.0.1')));
    // The handler awaits I/O-free promises per URL; the control yields now and then likewise.
    if (done % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve));
  } else {
    const res = fakeResponse();
    await isr.handle(fakeRequest(url), res, (error) => {
      if (error) failures++;
    });
    if (res.statusCode !== 200) failures++;
  }
  if (done % 50_000 === 0) {
    const now = rss();
    peak = Math.max(peak, now);
    samples.push({ urls: done, rssBytes: now });
  }
}
const endRss = rss();
peak = Math.max(peak, endRss);
samples.push({ urls: done, rssBytes: endRss });
// Two full collections a moment apart (array buffers are freed by a background sweeper).
globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 500));
globalThis.gc?.();
const afterGc = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    urls: done,
    requested: total,
    seconds: (Date.now() - started) / 1000,
    renders,
    failures,
    pageBytes: Buffer.byteLength(page),
    mode,
    execArgv: process.execArgv.filter((flag) => flag !== '--expose-gc'),
    cacheEntries: mode === 'bare' ? bare.size : cache.size,
    cacheBytes: mode === 'bare' ? bare.calculatedSize : cache.sizeInBytes,
    maxBytes,
    startRss,
    endRss,
    peakRss: peak,
    afterGcRss: afterGc.rss,
    heapUsed: afterGc.heapUsed,
    heapTotal: afterGc.heapTotal,
    arrayBuffers: afterGc.arrayBuffers,
    samples,
  }) + '\n',
);
