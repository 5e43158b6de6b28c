// Standalone: what storing pages costs the event loop, without HTTP, sockets or a load generator
// in the way. Builds and stores `count` pages of `bytes` in batches of `batch` that complete at the
// same moment (as renders started together by the render budget do), through buildEntry and a
// 64 MiB MemoryCacheHandler. Each batch starts from a timer, so the loop turns between batches:
// the event-loop delay shows how long one batch keeps it busy, and the event-loop utilisation
// (active time) what storing costs the main thread per page.
//   node bench/stress-store.mjs [dist/runtime folder] [count] [bytes] [batch] [compress 0|1]
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const benchDir = new URL('.', import.meta.url).pathname;
const [
  runtimeDir = join(benchDir, '../dist/runtime'),
  countArg = '2000',
  bytesArg = String(256 * 1024),
  batchArg = '32',
  compressArg = '0',
] = process.argv.slice(2);
const { buildEntry } = await import(pathToFileURL(join(runtimeDir, 'cache/entry-builder.js')).href);
const { MemoryCacheHandler } = await import(pathToFileURL(join(runtimeDir, 'cache/memory-cache-handler.js')).href);
const [count, bytes, batch, compress] = [Number(countArg), Number(bytesArg), Number(batchArg), compressArg === '1'];

const cache = new MemoryCacheHandler();
/** A page of varied markup (compresses like real HTML, unlike a run of one letter). */
function variedPage(id) {
  const words = 'the of and to in is you that it was for on are as with they at be this from or one had by'.split(' ');
  let seed = id + 1;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const parts = [`<!doctype html><html><body><app-root ng-server-context="ssr"><h1>${id}</h1>`];
  for (let size = 0, i = 0; size < bytes - 200; i++) {
    const text = Array.from({ length: 20 }, () => words[Math.floor(next() * words.length)]).join(' ');
    const part = `<div class="card c${i % 17}" data-id="${i}"><h2>${Math.floor(next() * 1e6)}</h2><p>${text}</p></div>\n`;
    parts.push(part);
    size += part.length;
  }
  return Buffer.from(parts.join('') + '</app-root></body></html>');
}

/** CPU time of the main thread alone (Linux; undefined elsewhere), in 10 ms ticks. */
function mainThreadCpuMs() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

// Rendered bodies are made before measuring: only the handler's share of the work is timed.
const bodies = Array.from({ length: batch }, (_, i) => variedPage(i));
const cpuBefore = mainThreadCpuMs();
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const started = performance.now();
const elu = performance.eventLoopUtilization();
for (let done = 0; done < count; done += batch) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  await Promise.all(
    bodies.map(async (body, i) => {
      const entry = await buildEntry({
        key: `/page/${done + i}`,
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body,
        revalidate: 60,
        tags: [],
        compress,
        now: Date.now(),
      });
      await cache.set(entry);
    }),
  );
}
delay.disable();
const { active } = performance.eventLoopUtilization(elu);
const cpuAfter = mainThreadCpuMs();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({
    pages: count,
    pageBytes: bytes,
    batch,
    compress,
    seconds: Number(seconds.toFixed(2)),
    loopActiveMsPerPage: Number((active / count).toFixed(3)),
    mainThreadCpuMsPerPage: cpuBefore === undefined ? null : Number(((cpuAfter - cpuBefore) / count).toFixed(3)),
    eventLoopP99Ms: Number((delay.percentile(99) / 1e6).toFixed(1)),
    eventLoopMaxMs: Number((delay.max / 1e6).toFixed(1)),
  }) + '\n',
);
