/**
 * Cache keys: the request path plus the allowed query parameters, sorted. The Host header is never
 * part of the key. Used for page requests and for invalidation URLs alike, so that
 * `/blog/a?utm_source=x` and `/blog/a` name the same entry.
 */

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

export type CacheKeyResult =
  | { cacheable: true; key: string }
  | { cacheable: false; reason: string };

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

/**
 * Normalises the path part of a request URL: rejects paths that could name something else once
 * decoded (`..`, `.`, empty segments, control characters) and drops a trailing slash, which the
 * Angular router ignores too.
 */
export function normalisePath(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/') || rawPath.startsWith('//')) {
    return undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) {
    return undefined;
  }
  const segments = decoded.split('/').slice(1);
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const segment = segments[i];
    if (segment === '..' || segment === '.' || (segment === '' && i !== last)) {
      return undefined;
    }
  }
  // `%c3%a9` and `%C3%A9` name the same path: one spelling for the key.
  const canonical = rawPath.includes('%') ? rawPath.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase()) : rawPath;
  return canonical.length > 1 && canonical.endsWith('/') ? canonical.slice(0, -1) : canonical;
}

/**
 * Key for a request URL (path + optional query, no origin), or the reason it cannot be cached.
 * `isTracking` comes from {@link compileParamMatcher}.
 */
export function cacheKeyFor(
  url: string,
  allowedQueryParams: ReadonlySet<string>,
  isTracking: (name: string) => boolean,
): CacheKeyResult {
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutHash.indexOf('?');
  const rawPath = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt);
  const path = normalisePath(rawPath);
  if (path === undefined) {
    return { cacheable: false, reason: 'unusual path' };
  }
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
