/**
 * `Cache-Control` for pages served from the ISR cache, so that a CDN in front can share them.
 */
export interface CacheControlOptions {
  /**
   * Seconds a CDN may keep serving a stale copy while it refetches (`stale-while-revalidate`).
   * Default: the page's `revalidate`, so that a page's staleness behind a shared cache stays
   * within about twice `revalidate` whatever the traffic.
   */
  staleWhileRevalidate?: number;
  /** Browser `max-age` in seconds. Default 0: browsers revalidate with the ETag (cheap 304). */
  maxAge?: number;
}

/**
 * Seconds a shared cache may keep a STALE answer (a regeneration is running): short, so that it
 * comes back for the new page soon, but positive, so that it may store what it refetched. An
 * answer it may not store (`s-maxage=0`) would leave its older copy in place for the whole
 * `stale-while-revalidate` window, on every refetch of a low-traffic page.
 */
export const STALE_SHARED_SECONDS = 1;

/**
 * The header value for an entry with `revalidate` seconds and `ttl` seconds of freshness left.
 * Fresh answers let shared caches keep the page only for what is left of its lifetime (never
 * longer than ng-isr itself), stale ones for {@link STALE_SHARED_SECONDS}. `revalidate: 0`
 * (on-demand only) cannot be purged from a CDN by ng-isr, so such pages ask every cache to
 * revalidate with the ETag instead of sharing them blindly.
 */
export function cacheControlFor(revalidate: number, ttl: number, stale: boolean, options: CacheControlOptions = {}): string {
  const maxAge = clampSeconds(options.maxAge ?? 0);
  if (revalidate <= 0) {
    return `public, max-age=${maxAge}, s-maxage=0, must-revalidate`;
  }
  const swr = clampSeconds(options.staleWhileRevalidate ?? revalidate);
  const sMaxAge = stale ? STALE_SHARED_SECONDS : Math.max(1, Math.floor(Math.min(ttl, revalidate)));
  return `public, max-age=${Math.min(maxAge, sMaxAge)}, s-maxage=${sMaxAge}, stale-while-revalidate=${swr}`;
}

function clampSeconds(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** True when a response's own `Cache-Control` forbids sharing it (`private`, `no-store`). */
export function forbidsSharing(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && /(?:^|[\s,])(?:private|no-store)(?:[\s,=]|$)/i.test(cacheControl);
}

/** `Cache-Control` for a page answer under the `cacheControl` option; `undefined` when the option is `false`. */
export function cacheControlHeader(
  options: CacheControlOptions | false,
  revalidate: number,
  ttl: number,
  stale: boolean,
): string | undefined {
  return options === false ? undefined : cacheControlFor(revalidate, ttl, stale, options);
}
