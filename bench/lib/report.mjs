// Writes docs/benchmarks.md (tables, ratios, machine) and docs/benchmarks.svg (bar chart) from
// one run's results.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 2 ** 20;
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMiB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(0)} MiB` : 'n/a');
const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×` : 'n/a');
const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function find(rows, label) {
  return rows.find((row) => row.label === label);
}

/** Horizontal bar chart of requests/s, one bar per throughput row. */
export function chartSvg(rows) {
  const width = 860;
  const labelWidth = 290;
  const barArea = width - labelWidth - 110;
  const rowHeight = 30;
  const top = 50;
  const height = top + rows.length * rowHeight + 40;
  const max = Math.max(...rows.map((row) => row.rps), 1);
  const colors = { plain: '#9e9e9e', limit: '#455a64', 'ng-isr': '#c2185b', rx: '#1565c0' };
  const bars = rows
    .map((row, i) => {
      const y = top + i * rowHeight;
      const w = Math.max(1, (row.rps / max) * barArea);
      return (
        `  <text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end">${escapeXml(row.label)}</text>\n` +
        `  <rect x="${labelWidth}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowHeight - 10}" fill="${colors[row.group] ?? '#777'}"/>\n` +
        `  <text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 19}">${fmtInt(row.rps)}</text>`
      );
    })
    .join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">\n` +
    `  <rect width="100%" height="100%" fill="#ffffff"/>\n` +
    `  <text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Requests per second, same Angular page (higher is better)</text>\n` +
    `${bars}\n` +
    `  <text x="${labelWidth}" y="${height - 12}" fill="#555">grey: plain SSR · dark: res.end(buffer) limits (Express, bare node:http) · pink: ng-isr · blue: @rx-angular/isr</text>\n` +
    `</svg>\n`
  );
}

/** The Express limit of a row's page and encoding (the `× the limit` column). */
function expressLimitFor(rows, row) {
  if (row.page === 'large') return find(rows, 'Express res.end(buffer), 100 KB');
  return find(rows, row.encoding === 'br' ? 'Express res.end(buffer), br' : 'Express res.end(buffer)');
}

/** The bare node:http limit of a row's page (identity only). */
function bareLimitFor(rows, row) {
  if (row.encoding !== 'identity') return undefined;
  return find(rows, row.page === 'large' ? 'bare node:http res.end(buffer), 100 KB' : 'bare node:http res.end(buffer)');
}

function throughputTable(results) {
  const rows = results.throughput;
  const plain = find(rows, 'Angular SSR (no cache)');
  const lines = [
    '| scenario | answered by | req/s | p50 | p99 | server RSS | response body | renders during run | × the Express limit | × bare node:http | × plain SSR | req/s per round |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const limit = expressLimitFor(rows, row);
    const bare = bareLimitFor(rows, row);
    const errors = row.non2xx + row.errors > 0 ? ` (${row.non2xx} non-2xx, ${row.errors} errors)` : '';
    const answeredBy = row.group === 'ng-isr' ? (row.viaExpress ? 'Express router' : 'fast path') : '';
    lines.push(
      `| ${row.label}${errors} | ${answeredBy} | ${fmtInt(row.rps)} | ${fmtMs(row.p50)} ms | ${fmtMs(row.p99)} ms | ${fmtMiB(row.rssBytes)} | ` +
        `${fmtInt(row.bodyBytes)} B ${row.encoding} | ${row.renders ?? 'n/a'} | ` +
        `${row === limit ? '1.00× (is the limit)' : limit ? fmtRatio(row.rps / limit.rps) : 'n/a'} | ` +
        `${row === bare ? '1.00× (is the limit)' : bare ? fmtRatio(row.rps / bare.rps) : 'n/a'} | ${fmtRatio(row.rps / plain.rps)} | ` +
        `${row.rounds.map(fmtInt).join(' / ')} |`,
    );
  }
  return lines.join('\n');
}

function stampedeTable(results) {
  const line = (name, s) =>
    s
      ? `| ${name} | ${s.cold.renders} | ${s.stale.renders} | ${Object.entries(s.cold.statuses)
          .map(([k, v]) => `${v}× ${k}`)
          .join(', ')} | ${Object.entries(s.stale.statuses)
          .map(([k, v]) => `${v}× ${k}`)
          .join(', ')} |`
      : `| ${name} | not run | not run | | |`;
  return [
    '| library | renders, 100 concurrent requests to one cold URL | renders, 100 concurrent requests to one stale URL | answers (cold) | answers (stale) |',
    '| --- | ---: | ---: | --- | --- |',
    line('ng-isr (memory tier)', results.ngIsrStampede),
    line(`@rx-angular/isr ${results.versions.rxAngularIsr}`, results.rxStampede),
  ].join('\n');
}

function invalidationTable(results) {
  const line = (name, how, r) =>
    r
      ? `| ${name} | ${how} | ${fmtInt(r.urls)} | ${(r.ms / 1000).toFixed(2)} s | ${fmtInt((r.urls / r.ms) * 1000)} | ${r.invalidated} | ${r.renders} |`
      : `| ${name} | ${how} | not run in this run (\`BENCH_RX_INVALIDATION=1\` adds it) | | | | |`;
  return [
    '| library | requests | cached URLs | time to invalidate | URLs/s | reported invalidated | renders |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    line(
      'ng-isr (memory tier)',
      '10 × `POST /api/invalidate` with 100 URLs (its default limit), one after another; 4 renders at a time',
      results.ngIsrInvalidation,
    ),
    line(
      `@rx-angular/isr ${results.versions.rxAngularIsr}`,
      '1 × `POST /api/invalidate` with every URL (it has no limit); renders one after another',
      results.rxInvalidation,
    ),
  ].join('\n');
}

function rssSection(results) {
  const r = results.rss;
  const samples = r.samples.map((s) => `| ${fmtInt(s.urls)} | ${fmtMiB(s.rssBytes)} |`).join('\n');
  const reached =
    r.urls >= r.requested ? `all ${fmtInt(r.urls)}` : `${fmtInt(r.urls)} of ${fmtInt(r.requested)} (the time bound stopped it)`;
  return [
    `Distinct URLs sent: ${reached} in ${r.seconds.toFixed(0)} s (half paths \`/articles/<n>\`, half query strings \`/search?q=term-<n>&page=<n % 7>\` with \`allowedQueryParams: ['q', 'page']\`), one render each (${fmtInt(r.renders)} renders, ${r.failures} failures).`,
    '',
    `| measure | value |`,
    `| --- | ---: |`,
    `| cache limit (\`MemoryCacheHandler({ maxBytes })\`) | ${fmtMiB(r.maxBytes)} |`,
    `| bytes held by the cache at the end | ${(r.cacheBytes / MiB).toFixed(1)} MiB in ${fmtInt(r.cacheEntries)} entries of ${fmtInt(r.pageBytes)} B pages |`,
    `| RSS before the first URL | ${fmtMiB(r.startRss)} |`,
    `| RSS after the last URL | ${fmtMiB(r.endRss)} |`,
    `| peak RSS (sampled every 50,000 URLs) | ${fmtMiB(r.peakRss)} |`,
    `| RSS after a forced GC | ${fmtMiB(r.afterGcRss)} |`,
    ...(r.arrayBuffers === undefined
      ? []
      : [
          `| after the GC: JS heap used / reserved | ${fmtMiB(r.heapUsed)} / ${fmtMiB(r.heapTotal)} |`,
          `| after the GC: array buffers (page bytes) | ${fmtMiB(r.arrayBuffers)} |`,
        ]),
    '',
    ...rssComparison(results),
    '| URLs so far | RSS |',
    '| ---: | ---: |',
    samples,
  ].join('\n');
}

/** The control runs: the same bodies without ng-isr, and ng-isr with a small young generation. */
function rssComparison(results) {
  const runs = [
    ['ng-isr, Node defaults', results.rss],
    ['control: the same bodies in a bare `lru-cache` of 64 MiB, no ng-isr', results.rssBare],
    ['ng-isr, `node --max-semi-space-size=1`', results.rssSmallYoung],
  ].filter(([, run]) => run !== undefined);
  if (runs.length < 2) return [];
  const row = ([label, run]) =>
    `| ${label} | ${fmtMiB(run.startRss)} | ${fmtMiB(run.peakRss)} | ${fmtMiB(run.afterGcRss)} | +${fmtMiB(run.afterGcRss - run.startRss)} | ${fmtMiB(run.heapUsed)} | ${fmtMiB(run.arrayBuffers)} |`;
  return [
    `The same ${fmtInt(results.rss.urls)} URLs in three processes (RSS over the idle baseline; the target is at most the cache bound + 32 MiB = +96 MiB):`,
    '',
    '| run | RSS before | peak RSS | RSS after GC | over baseline | JS heap used | array buffers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(row),
    '',
  ];
}

/** How RSS moved once the cache was full (from the second sample on). */
function rssPlateau(r) {
  const later = r.samples.filter((sample) => sample.urls >= 100_000).map((sample) => sample.rssBytes);
  if (later.length < 2) return 'too few samples to show a plateau.';
  return `from 100,000 URLs on it stayed between ${fmtMiB(Math.min(...later))} and ${fmtMiB(Math.max(...later))}.`;
}

/** The issue's targets, checked against this run. */
function targets(results, memory, memoryBr, limit, limitBr, plain) {
  const yes = (ok) => (ok ? 'met' : '**not met**');
  const hitVsLimit = Math.min(memory.rps / limit.rps, memoryBr.rps / limitBr.rps);
  const stampedeOk = results.ngIsrStampede.cold.renders === 1 && results.ngIsrStampede.stale.renders === 1;
  const later = results.rss.samples.filter((sample) => sample.urls >= 100_000).map((sample) => sample.rssBytes);
  const bounded = later.length >= 2 && Math.max(...later) - Math.min(...later) < 64 * MiB;
  return [
    '| target | this run | |',
    '| --- | --- | --- |',
    `| ng-isr HIT ≥ 0.9× the limit | ${fmtRatio(memory.rps / limit.rps)} identity, ${fmtRatio(memoryBr.rps / limitBr.rps)} br (memory tier) | ${yes(hitVsLimit >= 0.9)} |`,
    `| ng-isr HIT ≥ 30× plain SSR | ${fmtRatio(memory.rps / plain.rps)} (memory tier, identity) | ${yes(memory.rps / plain.rps >= 30)} |`,
    ...fastPathTargets(results.throughput),
    `| exactly 1 render per stampede | cold ${results.ngIsrStampede.cold.renders}, stale ${results.ngIsrStampede.stale.renders} | ${yes(stampedeOk)} |`,
    `| RSS bounded | ${fmtMiB(Math.min(...later))} – ${fmtMiB(Math.max(...later))} from 100,000 to ${fmtInt(results.rss.urls)} URLs | ${yes(bounded)} |`,
    ...(results.rss.arrayBuffers === undefined ? [] : [rssTarget(results, yes)]),
  ].join('\n');
}

/** One summary line: the fast path against both limits, and against the middleware alone. */
function fastPathSummary(rows) {
  const pair = (fast, middleware, express, bare) => {
    const [f, m, e, b] = [fast, middleware, express, bare].map((label) => find(rows, label));
    if (!f || !e || !b) return 'not measured';
    return (
      `${fmtInt(f.rps)} req/s = ${fmtRatio(f.rps / e.rps)} the Express limit, ${fmtRatio(f.rps / b.rps)} bare node:http` +
      (m ? ` (middleware only: ${fmtRatio(m.rps / e.rps)} the Express limit)` : '')
    );
  };
  return (
    `- **Fast path (\`isr.fastPath(app)\`, what \`ng add\` writes), memory tier**: small page ` +
    pair('ng-isr HIT, memory', 'ng-isr HIT, memory, middleware only', 'Express res.end(buffer)', 'bare node:http res.end(buffer)') +
    '; 100 KB page ' +
    pair(
      'ng-isr HIT, memory, 100 KB',
      'ng-isr HIT, memory, 100 KB, middleware only',
      'Express res.end(buffer), 100 KB',
      'bare node:http res.end(buffer), 100 KB',
    ) +
    '.'
  );
}

/** The fast-path issue's targets: a ratio per row against the Express limit of its page and encoding. */
function fastPathTargets(rows) {
  const ratio = (label) => {
    const row = find(rows, label);
    const limit = row && expressLimitFor(rows, row);
    return row && limit ? row.rps / limit.rps : NaN;
  };
  const line = (target, label, min) => {
    const r = ratio(label);
    return `| ${target} | ${fmtRatio(r)} (${label}) | ${Number.isFinite(r) ? (r >= min ? 'met' : '**not met**') : 'not measured'} |`;
  };
  return [
    line('fast-path HIT ≥ 2× the Express limit, small page', 'ng-isr HIT, memory', 2),
    line('fast-path HIT ≥ 2× the Express limit, 100 KB page', 'ng-isr HIT, memory, 100 KB', 2),
    line('br HIT ≥ 0.9× the br limit', 'ng-isr HIT, memory, br', 0.9),
    line('filesystem HIT ≥ 0.9× the Express limit', 'ng-isr HIT, filesystem', 0.9),
    line('Redis HIT (default settings) ≥ 0.8× the Express limit', 'ng-isr HIT, Redis', 0.8),
  ];
}

/** Issue #12: after the URLs, RSS (after a GC) at most the idle baseline + the cache bound + 32 MiB. */
function rssTarget(results, yes) {
  const over = (run) => run.afterGcRss - run.startRss;
  const allowed = results.rss.maxBytes + 32 * MiB;
  const small = results.rssSmallYoung ? `; +${fmtMiB(over(results.rssSmallYoung))} with \`--max-semi-space-size=1\`` : '';
  const bare = results.rssBare ? ` (a bare \`lru-cache\` of the same bodies: +${fmtMiB(over(results.rssBare))})` : '';
  return `| RSS ≤ idle + cache bound + 32 MiB (+${fmtMiB(allowed)}) | +${fmtMiB(over(results.rss))} after a GC with Node's defaults${bare}${small} | ${yes(over(results.rss) <= allowed)} |`;
}

/** Milliseconds: whole numbers as they are (autocannon), wrk's microsecond figures to 0.1 ms. */
function fmtMs(ms) {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}

/** The load generator of this run (results written before the choice was recorded used autocannon). */
function clientName(results) {
  return results.settings.client === 'wrk' ? '`wrk` (one thread)' : 'autocannon';
}

/** Where the load client ran, for the method paragraph. */
function clientWhere(results) {
  return results.settings.client === 'wrk' ? '`wrk` runs as a process of its own.' : "autocannon runs in the benchmark's process.";
}

/** Writes the Markdown page and the chart. */
export function writeReport(results, docsDir) {
  const rows = results.throughput;
  const m = results.machine;
  const memory = find(rows, 'ng-isr HIT, memory');
  const memoryBr = find(rows, 'ng-isr HIT, memory, br');
  const limit = find(rows, 'Express res.end(buffer)');
  const limitBr = find(rows, 'Express res.end(buffer), br');
  const plain = find(rows, 'Angular SSR (no cache)');
  const rx = find(rows, '@rx-angular/isr HIT');
  const rxNote = results.rxError
    ? `**@rx-angular/isr could not be benchmarked in this run**: ${results.rxError.split('\n')[0]}`
    : `@rx-angular/isr ${results.versions.rxAngularIsr} is installed only in \`bench/.work/rx\` (a copy of the same app), with \`--legacy-peer-deps\` because it declares \`express ^4\` while the app (like every Angular 21 app) uses Express 5. It is wired as its README shows, with the engine the README documents, \`CommonEngine\` (\`indexHtml\`, \`commonEngine\`, \`bootstrap\`, \`browserDistFolder\`, \`express.json()\`, \`POST /api/invalidate\`, \`serveFromCache\` then \`render\`, \`provideISR()\` from \`@rx-angular/isr/server\` in the server config), plus its documented \`backgroundRevalidation: true\` so that a stale page is answered at once as with ng-isr. Its 21.x code also accepts \`angularAppEngine\`, which its README does not document. It stores identity HTML only, so the \`br requested\` row gets identity bytes.`;

  const md = `---
title: Benchmarks
description: ng-isr against plain Angular SSR, the Express res.end(buffer) limit and @rx-angular/isr on the same Angular app, measured by npm run bench.
nav_order: 11
---

# Benchmarks

Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${m.date.slice(0, 10)}; every number on this page
comes from that one run. Re-run it to measure your own machine.

![Requests per second per scenario](benchmarks.svg)

## Summary

${fastPathSummary(rows)}
- **ng-isr HIT (memory tier): ${fmtInt(memory.rps)} req/s = ${fmtRatio(memory.rps / limit.rps)} the limit** (Express sending the same bytes from memory) and **${fmtRatio(memory.rps / plain.rps)} plain Angular SSR** (${fmtInt(plain.rps)} req/s). With \`br\`: ${fmtInt(memoryBr.rps)} req/s = ${fmtRatio(memoryBr.rps / limitBr.rps)} the \`br\` limit.
${rx ? `- **@rx-angular/isr HIT: ${fmtInt(rx.rps)} req/s** = ${fmtRatio(rx.rps / limit.rps)} the limit; ng-isr answers ${fmtRatio(memory.rps / rx.rps)} its requests per second on the same page.` : '- @rx-angular/isr: not measured (see the notes).'}
- **Stampedes**: 100 concurrent requests to one cold URL caused ${results.ngIsrStampede.cold.renders} render(s) with ng-isr${results.rxStampede ? ` and ${results.rxStampede.cold.renders} with @rx-angular/isr` : ''}; to one stale URL ${results.ngIsrStampede.stale.renders} with ng-isr${results.rxStampede ? ` and ${results.rxStampede.stale.renders} with @rx-angular/isr` : ''}.
- **Memory**: after ${fmtInt(results.rss.urls)} distinct URLs with a 64 MiB cache limit the process's RSS was ${fmtMiB(results.rss.endRss)} (peak ${fmtMiB(results.rss.peakRss)}, ${fmtMiB(results.rss.startRss)} before the first URL), the cache holding ${(results.rss.cacheBytes / MiB).toFixed(1)} MiB; ${rssPlateau(results.rss)}
- **Invalidation**: ${fmtInt(results.ngIsrInvalidation.urls)} cached URLs invalidated (regenerated) by ng-isr in ${(results.ngIsrInvalidation.ms / 1000).toFixed(2)} s${results.rxInvalidation ? `; by @rx-angular/isr in ${(results.rxInvalidation.ms / 1000).toFixed(2)} s` : ''}.

Targets from the issue that asked for this benchmark:

${targets(results, memory, memoryBr, limit, limitBr, plain)}

Under this machine's load the same scenario varies by tens of percent between rounds (last
column of the table below), so a ratio near 1 between two fast rows means "as fast as", not
"faster than".

## Machine

| | |
| --- | --- |
| CPU | ${m.cpu}, \`nproc\` = ${m.nproc} |
| Node.js | ${m.node} |
| OS | ${m.kernel} |
| load average (1, 5, 15 min) at start / end | ${m.load} / ${m.loadAfter} |
| run time | ${results.elapsedS.toFixed(0)} s |

\`free -h\`:

\`\`\`
${m.free}
\`\`\`

The machine was shared with other work while this ran (see the load average): absolute numbers
are lower and noisier than on an idle machine; the ratios between rows of the same run are the
point.

## Requests per second on a cache HIT

The same page (\`${'/bench'}\`: the app shell of \`ng new\` plus a list of 40 articles, route
\`data: { revalidate: 3600 }\`) of the same Angular ${results.versions.angular} app (\`ng new --ssr\`,
\`AngularNodeAppEngine\`), requested by ${clientName(results)} with ${results.settings.connections} connections for
${results.settings.durationS} s after a ${results.settings.warmupS} s warm-up, over 127.0.0.1. Each server
runs in its own process (all of them started before the first measurement, idle while others are
measured); ${clientWhere(results)} Every scenario ran once per round, in
${results.settings.rounds} rounds one after another, so that changes in the machine's load hit all
scenarios alike; the table and the chart show each scenario's best round, and the last column
lists every round. "× the limit" compares with
the \`res.end(buffer)\` row of the same encoding. "Renders during run" is read from a counter the
page's component increments on the server: \`0\` proves every answer came from the cache.

${throughputTable(results)}

- **Angular SSR (no cache)**: the app as \`ng new --ssr\` generated it, before \`ng add ng-isr\`
  (the \`**\` server route switched to \`RenderMode.Server\` so that pages are rendered, not prerendered).
- **Express res.end(buffer)**: the physical limit: an Express 5 app answering every request with
  the page bytes held in memory (\`br\`: compressed once at start, brotli quality 9 as ng-isr stores it).
- **bare node:http res.end(buffer)**: the limit below Express: \`http.createServer\` answering the
  same bytes from memory, no framework at all.
- **100 KB**: the route \`bench-100k\`, the same list with 220 articles; its limits send those bytes.
- **answered by**: \`fast path\` when the HIT came from \`isr.fastPath(app)\` (the answer has no
  \`X-Powered-By: Express\`, so Express's router never ran), \`Express router\` when it came from the
  \`isr.serveFromCache\`/\`isr.handle\` middleware. \`middleware only\`: the same app listening with
  \`app.listen(...)\` instead of \`isr.fastPath(app).listen(...)\` (an app wired before the fast path existed).
- **ng-isr HIT**: the same app after \`ng add ng-isr\` (packed from this repository, so it listens
  through \`isr.fastPath(app)\`); the only edits are the cache tier chosen by an environment variable
  and the \`middleware only\` switch (\`MemoryCacheHandler\`,
  \`FileSystemCacheHandler\` with its default hot-entry memory layer, \`RedisCacheHandler\` against
  the Redis on 127.0.0.1 with its defaults, i.e. with its in-process copy (32 MiB, kept coherent by
  pub/sub; a HIT makes no round trip); "+ memoryLayer": the same copy set explicitly; "Redis Cluster":
  a 3-master cluster the benchmark starts, with the default copy, and without it
  (\`memoryLayer: false\`: one round trip per HIT).
- ${rxNote}

## Renders caused by 100 concurrent requests

100 requests on 100 connections at once to one URL of the route \`item/:id\`
(\`data: { revalidate: 2 }\`, with a route resolver that waits 50 ms, standing for the API call a
real page makes before it renders); renders counted by the page's own counter after background
work settled. "Cold": never requested before. "Stale": rendered once, then requested more than 2 s later.

${stampedeTable(results)}

ng-isr renders a cold or stale key once for every request that arrives while that render runs
(single flight), so its numbers are 1 whatever the timing. @rx-angular/isr has no single flight for
a cold URL: every request that arrives before the first render is stored starts a render of its
own, so its cold number depends on how the 100 requests interleave with that render and changes
from run to run; for a stale URL it keeps a list of URLs being regenerated, which gives one render.

## RSS after 1,000,000 distinct URLs with a 64 MiB cache

Run in-process against \`ISRHandler\` with a cheap engine adapter instead of the Angular app: a full
Angular render per URL would take hours at the render rates above. The engine returns the real
bytes of the app's \`/item/:id\` page (${fmtInt(results.rss.pageBytes)} B) with the URL in its title and
\`revalidate: 3600\`; \`isr.handle\` is called with minimal request/response objects, one URL after
another, in a process of its own; compression is off for this run (\`compress: false\`) to keep it
within the time bound, which only makes each entry smaller than with \`br\` and \`gzip\` variants (the
byte bound counts variants too).

${rssSection(results)}

## Time to invalidate 1,000 cached URLs

The URLs \`/item/inv-0\` … \`/item/inv-999\` are rendered once (cached), then invalidated. Both
libraries *regenerate* each invalidated page (render it again and replace the entry), so this
measures the render rate of invalidation; the run ends when the last answer arrived.

${invalidationTable(results)}

## Notes

- Run it yourself: \`npm run bench\` (needs the Angular CLI from npm and Redis on 127.0.0.1:6379, or
  \`REDIS_URL\`). The Angular app is generated once into \`~/.cache/ng-isr/bench\` and reused;
  \`BENCH_DURATION\`, \`BENCH_CONNECTIONS\`, \`BENCH_RSS_URLS\`, \`BENCH_RSS_SECONDS\` and
  \`BENCH_INVALIDATE_URLS\` change the run's size; \`BENCH_RX_INVALIDATION=1\` also times
  @rx-angular/isr's invalidation (it renders the pages one after another, which adds minutes).
- Results of this run as JSON: \`bench/.work/results.json\` (not committed).
- p50/p99 are ${clientName(results)}'s latency percentiles (milliseconds). The load client is \`wrk\` when it is
  installed (\`apt-get install wrk\`; \`BENCH_CLIENT=autocannon\` forces the other): on 2 cores a client in
  JavaScript costs about as much CPU per request as the server it measures, so it, not the server,
  sets the limit of the fastest rows and every ratio between them shrinks towards 1. RSS is the server process's
  resident set size (\`/proc/<pid>/status\`) right after the measured run.
`;
  writeFileSync(join(docsDir, 'benchmarks.md'), md);
  writeFileSync(join(docsDir, 'benchmarks.svg'), chartSvg(rows));
}
