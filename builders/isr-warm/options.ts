import { OptionsError } from '../utils/options-error';
import { isServerPath, normaliseUrlEntry, parseBaseUrl, underBase, wholeNumber } from '../utils/options';
import type { WarmBuilderOptions } from './schema';

/** Defaults, mirrored in `schema.json` (Architect applies those; these cover direct calls). */
export const DEFAULTS = {
  sitemapPath: '/sitemap.xml',
  concurrency: 4,
  maxUrls: 10_000,
  timeoutMs: 30_000,
  retries: 2,
} as const;

/** Most concurrent requests: a warm-up must not become a load test. */
export const MAX_CONCURRENCY = 64;

/** What the entries of `--urls` are called in messages. */
export const WARM_ENTRIES = 'URLs to warm';

/** Checked input of one run (the file entries are read and merged later). */
export interface WarmPlan {
  /** `--base-url`, parsed; pages are requested on its origin, under its path prefix. */
  base: URL;
  /** Origin whose URLs are requested (the base URL's). */
  origin: string;
  /** Origin the sitemap's URLs may use instead (`--public-origin`). */
  publicOrigin: string | undefined;
  /** The sitemap to read, if any: `--sitemap`, or the default when no other source was given. */
  sitemap: URL | undefined;
  /** Paths from `--urls`, checked. */
  urls: string[];
  concurrency: number;
  maxUrls: number;
  timeoutMs: number;
  retries: number;
  dryRun: boolean;
}

/**
 * Validates the options.
 * @throws OptionsError with a message meant for the user.
 */
export function normaliseWarmOptions(options: WarmBuilderOptions): WarmPlan {
  const base = parseBaseUrl(options.baseUrl);
  const urls = (options.urls ?? []).map((entry) => normaliseUrlEntry(entry, base.origin, WARM_ENTRIES));
  const publicOrigin = options.publicOrigin === undefined ? undefined : parsePublicOrigin(options.publicOrigin);
  const otherSources = urls.length > 0 || Boolean(options.urlsFile) || Boolean(options.routesFile);
  return {
    base,
    origin: base.origin,
    publicOrigin,
    sitemap: resolveSitemap(options.sitemap, base, otherSources),
    urls,
    concurrency: wholeNumber(options.concurrency, DEFAULTS.concurrency, 'concurrency', 1),
    maxUrls: wholeNumber(options.maxUrls, DEFAULTS.maxUrls, 'max-urls', 1),
    timeoutMs: wholeNumber(options.timeoutMs, DEFAULTS.timeoutMs, 'timeout-ms', 1),
    retries: wholeNumber(options.retries, DEFAULTS.retries, 'retries', 0),
    dryRun: options.dryRun ?? false,
  };
}

/** `--sitemap` as a URL: a path is taken under the base URL; an absolute http(s) URL as is. */
function resolveSitemap(sitemap: string | undefined, base: URL, otherSources: boolean): URL | undefined {
  const value = sitemap?.trim();
  if (!value) {
    return otherSources ? undefined : underBase(base, DEFAULTS.sitemapPath);
  }
  if (isServerPath(value)) return underBase(base, value);
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value);
    } catch {
      // Reported below.
    }
  }
  throw new OptionsError(`--sitemap "${value}" is neither a path (/sitemap.xml) nor an http(s) URL.`);
}

function parsePublicOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new OptionsError(`--public-origin "${value}" is not a URL; expected e.g. https://example.com.`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new OptionsError(`--public-origin must be an http:// or https:// origin without user name or password, got "${value}".`);
  }
  return url.origin;
}
