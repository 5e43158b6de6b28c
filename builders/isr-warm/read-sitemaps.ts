import { fetchText } from '../utils/fetch-text';
import { clean, networkFailureReason } from '../utils/network-reasons';
import { withRetries, type Attempt, type RetrySettings } from '../utils/retry';
import { parseSitemap, type SitemapDocument } from './sitemap-xml';
import { onWarmedOrigin, type OriginRule, type Skipped } from './targets';

/** Most sitemap files read in one run (an index and its children). */
export const MAX_SITEMAP_FILES = 50;
/** Most bytes read of one sitemap: the sitemap protocol's own limit (50 MiB uncompressed). */
export const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;

/** Settings for reading sitemaps. */
export interface SitemapSettings extends OriginRule, RetrySettings {
  timeoutMs: number;
  /** Most page URLs to collect. */
  maxUrls: number;
  /** Most sitemap files to read (default `MAX_SITEMAP_FILES`). */
  maxFiles?: number;
  /** Most bytes per sitemap (default `MAX_SITEMAP_BYTES`). */
  maxBytes?: number;
  /** Told after each sitemap that was read. */
  onRead?: (sitemap: URL, document: SitemapDocument) => void;
}

/** What the sitemaps came to. */
export interface SitemapHarvest {
  /** Pages on the warmed origin, each once, in document order. */
  pages: URL[];
  /** Pages and child sitemaps not followed (another host, not a URL). */
  skipped: Skipped[];
  /** Sitemaps that could not be read. */
  failures: Array<{ sitemap: string; reason: string }>;
  /** Set when a bound was reached: what was left out. */
  truncated: string | undefined;
}

/**
 * Reads a sitemap and, for a sitemap index, the sitemaps it lists (breadth first, each once),
 * within bounds: `maxUrls` pages, `maxFiles` files, `maxBytes` per file. Only pages on the warmed
 * origin are collected; child sitemaps are followed on that origin only.
 */
export async function readSitemaps(start: URL, settings: SitemapSettings): Promise<SitemapHarvest> {
  const maxFiles = settings.maxFiles ?? MAX_SITEMAP_FILES;
  const harvest: SitemapHarvest = { pages: [], skipped: [], failures: [], truncated: undefined };
  const seenPages = new Set<string>();
  const queue: URL[] = [start];
  const queued = new Set<string>([start.href]);
  let files = 0;
  while (queue.length > 0) {
    const sitemap = queue.shift()!;
    if (files >= maxFiles) {
      harvest.truncated = `read ${maxFiles} sitemap files, the most one run reads; ${queue.length + 1} more were not read`;
      break;
    }
    files++;
    const outcome = await withRetries(() => readOne(sitemap, settings), settings);
    if (!outcome.ok) {
      harvest.failures.push({ sitemap: sitemap.href, reason: outcome.reason });
      continue;
    }
    const document = outcome.value;
    settings.onRead?.(sitemap, document);
    for (const loc of document.locs) {
      const target = onWarmedOrigin(loc, settings);
      if (!(target instanceof URL)) {
        harvest.skipped.push(target);
        continue;
      }
      if (document.kind === 'sitemapindex') {
        if (!queued.has(target.href)) {
          queued.add(target.href);
          queue.push(target);
        }
        continue;
      }
      if (seenPages.has(target.href)) continue;
      if (harvest.pages.length >= settings.maxUrls) {
        harvest.truncated = `the sitemaps list more than ${settings.maxUrls} pages; warming the first ${settings.maxUrls} (raise --max-urls)`;
        return harvest;
      }
      seenPages.add(target.href);
      harvest.pages.push(target);
    }
  }
  return harvest;
}

async function readOne(sitemap: URL, settings: SitemapSettings): Promise<Attempt<SitemapDocument>> {
  const maxBytes = settings.maxBytes ?? MAX_SITEMAP_BYTES;
  let fetched;
  try {
    fetched = await fetchText(
      sitemap,
      { headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1', 'user-agent': 'ng-isr-warm' } },
      { timeoutMs: settings.timeoutMs, maxBytes },
    );
  } catch (error) {
    return { kind: 'retry', reason: networkFailureReason(error, { endpoint: sitemap, timeoutMs: settings.timeoutMs }) };
  }
  const { response, text, truncated } = fetched;
  const answered = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status === 404 || response.status === 410) {
    return { kind: 'fail', reason: `no sitemap at ${sitemap.href} (${answered}): pass --sitemap, --urls, --urls-file or --routes-file` };
  }
  if (!response.ok) {
    return { kind: response.status >= 500 ? 'retry' : 'fail', reason: `the server answered ${answered} for the sitemap` };
  }
  if (truncated) {
    return { kind: 'fail', reason: `the sitemap is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; split it with a sitemap index` };
  }
  const document = parseSitemap(text);
  if ('notSitemap' in document) {
    const type = response.headers.get('content-type') ?? 'no content type';
    const startText = text.trim() && !text.startsWith('\x1f') ? `, starting "${clean(text, '', 60)}"` : '';
    return { kind: 'fail', reason: `not a sitemap: ${document.notSitemap} (${answered}, ${type}${startText})` };
  }
  return { kind: 'done', value: document };
}
