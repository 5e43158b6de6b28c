import { count, seconds } from '../utils/report';
import type { Skipped } from './targets';
import { CACHE_STATUSES, type PageOutcome } from './warm-page';

/** Most skipped URLs listed one by one; the rest are counted. */
export const MAX_SKIPPED_LINES = 20;

/** Totals over a run. */
export interface WarmTotals {
  /** Pages that answered 2xx. */
  answered: number;
  /** 2xx answers by `x-isr-cache` value (`MISS`, `HIT`, `STALE`, `BYPASS`, anything else as sent). */
  byCache: Record<string, number>;
  /** 2xx answers without `x-isr-cache`. */
  withoutHeader: number;
  failed: number;
  skipped: number;
  /** Sitemaps that could not be read. */
  sitemapFailures: number;
}

/** Empty totals. */
export function emptyTotals(): WarmTotals {
  return { answered: 0, byCache: {}, withoutHeader: 0, failed: 0, skipped: 0, sitemapFailures: 0 };
}

/** Adds one page's outcome. */
export function addOutcome(totals: WarmTotals, outcome: PageOutcome): void {
  if (!outcome.ok) {
    totals.failed++;
    return;
  }
  totals.answered++;
  if (outcome.page.cache === undefined) totals.withoutHeader++;
  else totals.byCache[outcome.page.cache] = (totals.byCache[outcome.page.cache] ?? 0) + 1;
}

/** The run succeeds only when every page answered 2xx and every sitemap could be read. */
export function warmSucceeded(totals: WarmTotals): boolean {
  return totals.failed === 0 && totals.sitemapFailures === 0 && totals.answered > 0;
}

/** The line before the requests, e.g. `Warming 12 URLs at https://example.com, 4 at a time.` */
export function formatWarmStart(total: number, base: URL, concurrency: number): string {
  return `Warming ${count(total, 'URL')} at ${base.href.replace(/\/$/, '')}, ${concurrency} at a time.`;
}

/**
 * One line per page, numbered in the order the answers came (the progress):
 * `  [3/12] 200 MISS    /blog/a (143 ms)` or `  [4/12] FAILED      /blog/b: <reason>`.
 */
export function formatPageResult(done: number, total: number, path: string, outcome: PageOutcome): string {
  const progress = `[${done}/${total}]`;
  if (!outcome.ok) return `  ${progress} FAILED      ${path}: ${outcome.reason}`;
  const cache = (outcome.page.cache ?? '-').padEnd(7);
  const retried = outcome.attempts > 1 ? `, attempt ${outcome.attempts}` : '';
  return `  ${progress} ${outcome.page.status} ${cache} ${path} (${outcome.page.ms} ms${retried})`;
}

/** One line per skipped URL. */
export function formatSkipped(skipped: Skipped): string {
  return `  skipped  ${skipped.url}: ${skipped.reason}`;
}

/** The closing summary: `12 URLs: 12 answered 2xx (10 MISS, 2 HIT, 0 STALE, 0 BYPASS), 0 failed in 1.23 s.` */
export function formatWarmSummary(totals: WarmTotals, elapsedMs: number): string {
  const all = totals.answered + totals.failed;
  const known = CACHE_STATUSES.map((status) => `${totals.byCache[status] ?? 0} ${status}`);
  const other = Object.entries(totals.byCache)
    .filter(([status]) => !(CACHE_STATUSES as readonly string[]).includes(status))
    .map(([status, n]) => `${n} ${status}`);
  const without = totals.withoutHeader > 0 ? [`${totals.withoutHeader} without x-isr-cache`] : [];
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
  const sitemaps = totals.sitemapFailures > 0 ? `, ${count(totals.sitemapFailures, 'sitemap')} unreadable` : '';
  return (
    `${count(all, 'URL')}: ${totals.answered} answered 2xx (${[...known, ...other, ...without].join(', ')}), ` +
    `${totals.failed} failed${skipped}${sitemaps} in ${seconds(elapsedMs)}.`
  );
}
