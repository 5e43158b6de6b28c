/**
 * Cache keys: the canonical request path plus the allowed query parameters, sorted. The Host
 * header is never part of the key (unless `hostKeys` adds an allowed host, see `host-keys.ts`).
 * Used for page requests and for invalidation URLs alike, so that `/blog/a?utm_source=x`,
 * `/blog/a/` and `/blog/%61` name the same entry.
 */
import { canonicalPath } from './path-canonical.js';

/** Query parameters dropped from the key instead of turning the request into a BYPASS. */
export const DEFAULT_TRACKING_PARAMS: readonly string[] = [
  'utm_*',
  'gclid',
  'gbraid',
  'wbraid',
  'fbclid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
];

export type CacheKeyResult = { cacheable: true; key: string } | { cacheable: false; reason: string };

/** Pre-splits the tracking list into exact names and prefixes (done once per handler). */
export function compileParamMatcher(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('*')) {
      prefixes.push(pattern.slice(0, -1));
    } else {
      exact.add(pattern);
    }
  }
  return (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}

/** Reason prefix of paths that are served but never stored (see `canonicalPath`). */
export const UNUSUAL_PATH = 'unusual path';

/**
 * Key for a request URL (path + optional query, no origin), or the reason it cannot be cached.
 * `isTracking` comes from {@link compileParamMatcher}.
 */
export function cacheKeyFor(url: string, allowedQueryParams: ReadonlySet<string>, isTracking: (name: string) => boolean): CacheKeyResult {
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutHash.indexOf('?');
  const rawPath = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt);
  const canonical = canonicalPath(rawPath);
  if (!canonical.ok) {
    return { cacheable: false, reason: `${UNUSUAL_PATH}: ${canonical.reason}` };
  }
  const path = canonical.path;
  if (queryAt === -1 || queryAt === withoutHash.length - 1) {
    return { cacheable: true, key: path };
  }
  const kept: Array<[string, string]> = [];
  for (const [name, value] of new URLSearchParams(withoutHash.slice(queryAt + 1))) {
    if (allowedQueryParams.has(name)) {
      kept.push([name, value]);
    } else if (!isTracking(name)) {
      return { cacheable: false, reason: `query parameter "${name}" is not in allowedQueryParams` };
    }
  }
  if (kept.length === 0) {
    return { cacheable: true, key: path };
  }
  kept.sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)));
  return { cacheable: true, key: `${path}?${new URLSearchParams(kept).toString()}` };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
