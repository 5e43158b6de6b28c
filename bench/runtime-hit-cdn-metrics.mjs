// HIT throughput of ISRHandler with metrics (always on) and with the CDN tag header,
// CDN-Cache-Control and Prometheus registered, against a baseline build without them (optional).
// Rounds alternate between the variants so that machine load hits them alike; best and median
// are reported (on a loaded machine the best round is the closest to the code's own cost).
// Run after `npm run build`:
//   node bench/runtime-hit-cdn-metrics.mjs [seconds=2] [rounds=6] [concurrency=16] [baselineDist]
// baselineDist: a dist/runtime folder built from another commit, e.g. main:
//   git archive main runtime tsconfig.json tsconfig.runtime.json | tar -x -C .cache/bench-main
//   (cd .cache/bench-main && node ../../node_modules/typescript/bin/tsc -p tsconfig.runtime.json \
//     && echo '{"type":"module"}' > dist/runtime/package.json)
import autocannon from 'autocannon';
import express from 'express';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ISRHandler } from '../dist/runtime/isr-handler.js';

const [secondsArg, roundsArg, concurrencyArg, baselineDist] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
const rounds = Number(roundsArg ?? 6);
const concurrency = Number(concurrencyArg ?? 16);
const filler = '<p>lorem ipsum dolor sit amet</p>'.repeat(500);
const engine = {
  async render(request) {
    request.context.revalidate = 3600;
    request.context.tags = ['posts', 'author-1', 'home'];
    const html = `<html><body><app-root ng-server-context="ssr">${filler}</app-root></body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(html) };
  },
};

async function serve(Handler, options) {
  const isr = new Handler({ engine, invalidateSecretToken: 'bench', logger: false, buildId: false, ...options });
  const app = express();
  app.use((req, res, next) => isr.handle(req, res, next));
  const server = await new Promise((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  await fetch(`http://127.0.0.1:${server.address().port}/cached`);
  return { isr, server, port: server.address().port };
}

/** Requests per second over keep-alive connections (autocannon, in this process like the servers). */
async function overHttp({ port }) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/cached`,
    headers: { 'accept-encoding': 'br' },
    connections: concurrency,
    duration: seconds,
  });
  return Math.round(result.requests.average);
}

/** The handler's own HIT cost, without sockets: `handle()` on a minimal request and response. */
async function inProcess({ isr }) {
  const req = { method: 'GET', url: '/cached', headers: { host: '127.0.0.1', 'accept-encoding': 'br' }, socket: {} };
  const res = { headersSent: false, writeHead() {}, end() {}, setHeader() {}, getHeader() {} };
  const iterations = 100_000;
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await isr.handle(req, res, () => undefined);
  return Math.round(iterations / ((performance.now() - started) / 1000));
}

const variants = {};
if (baselineDist) {
  const { ISRHandler: Baseline } = await import(pathToFileURL(resolve(baselineDist, 'isr-handler.js')).href);
  variants.baseline = await serve(Baseline, {});
}
variants.metrics = await serve(ISRHandler, {});
variants.cdnAndMetrics = await serve(ISRHandler, { cdn: { tagHeader: 'cloudflare', cdnCacheControl: 'max-age=3600' } });
await variants.cdnAndMetrics.isr.metrics.registerPrometheus();

const names = Object.keys(variants);
const results = { inProcessHitsPerSecond: {}, httpRequestsPerSecond: {} };
for (const [label, measure] of [
  ['inProcessHitsPerSecond', inProcess],
  ['httpRequestsPerSecond', overHttp],
]) {
  for (const name of names) results[label][name] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) results[label][name].push(await measure(variants[name]));
  }
}
const summary = (values) => ({ best: Math.max(...values), median: [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] });
const report = { seconds, rounds, concurrency };
for (const [label, byName] of Object.entries(results)) {
  report[label] = Object.fromEntries(Object.entries(byName).map(([name, values]) => [name, { ...summary(values), rounds: values }]));
}
report.hitsCounted = variants.cdnAndMetrics.isr.metrics.snapshot().answers.HIT;
console.log(JSON.stringify(report, null, 2));
for (const { isr, server } of Object.values(variants)) {
  await isr.close();
  server.closeAllConnections();
  server.close();
}
