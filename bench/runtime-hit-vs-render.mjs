// Requests per second of ISRHandler answering from the memory cache (HIT) versus rendering every
// request (BYPASS), on a real Express server on 127.0.0.1. The engine stands in for Angular with a
// fixed amount of synchronous work per render, so the ratio shows what caching saves; the absolute
// numbers depend on the machine. Run after `npm run build`:
//   node bench/runtime-hit-vs-render.mjs [seconds=3] [concurrency=16] [renderMs=20]
import express from 'express';
import http from 'node:http';
import { ISRHandler } from '../dist/runtime/isr-handler.js';

const [seconds = 3, concurrency = 16, renderMs = 20] = process.argv.slice(2).map(Number);
const filler = '<p>lorem ipsum dolor sit amet</p>'.repeat(500);
let renders = 0;

/** Busy-waits `renderMs` like a server render that keeps the event loop busy. */
const engine = {
  async render(request) {
    renders++;
    const until = performance.now() + renderMs;
    while (performance.now() < until);
    const path = new URL(request.url).pathname;
    request.context.revalidate = path === '/cached' ? 3600 : undefined;
    const html = `<html><body><app-root ng-server-context="ssr">${path}${filler}</app-root></body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(html) };
  },
};

const isr = new ISRHandler({ engine, invalidateSecretToken: 'bench', logger: false });
const app = express();
// Baseline: the same bytes written by a bare Express handler (no ISR), to separate machine load
// from handler cost.
const baseline = Buffer.from(`<html><body>${filler}</body></html>`);
app.get('/baseline', (_req, res) => res.end(baseline));
app.use((req, res, next) => isr.handle(req, res, next));
const server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const { port } = server.address();

async function load(path) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const cacheStates = new Map();
  const one = () =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent, headers: { 'accept-encoding': 'br' } }, (res) => {
          const state = res.headers['x-isr-cache'];
          cacheStates.set(state, (cacheStates.get(state) ?? 0) + 1);
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await one();
        done++;
      }
    }),
  );
  agent.destroy();
  return { path, rps: Math.round(done / seconds), states: Object.fromEntries(cacheStates) };
}

// 100 concurrent cold requests for one key: how many renders?
renders = 0;
await Promise.all(Array.from({ length: 100 }, () => fetch(`http://127.0.0.1:${port}/cold`)));
const coldRendersBypass = renders;
renders = 0;
await Promise.all(Array.from({ length: 100 }, () => fetch(`http://127.0.0.1:${port}/cached`)));
const coldRendersCached = renders;

const results = [await load('/baseline'), await load('/cached'), await load('/uncached')];
console.log(JSON.stringify({ seconds, concurrency, renderMs, coldRendersCached, coldRendersBypass, results }, null, 2));
await isr.close();
server.close();
