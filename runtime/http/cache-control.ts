/**
 * `Cache-Control` for pages served from the ISR cache, so that a CDN in front can share them.
 */
export interface CacheControlOptions {
  /**
   * Seconds a CDN may keep serving a stale copy while it refetches (`stale-while-revalidate`).
   * Default 86400 (one day).
   */
  staleWhileRevalidate?: number;
  /** Browser `max-age` in seconds. Default 0: browsers revalidate with the ETag (cheap 304). */
  maxAge?: number;
}

/** Default `stale-while-revalidate` window for CDNs: one day. */
export const DEFAULT_STALE_WHILE_REVALIDATE = 86_400;

/**
 * The header value for an entry with `revalidate` seconds; `stale` entries tell shared caches to
 * refetch right away. `revalidate: 0` (on-demand only) cannot be purged from a CDN by ng-isr, so
 * such pages ask every cache to revalidate with the ETag instead of sharing them blindly.
 */
export function cacheControlFor(revalidate: number, stale: boolean, options: CacheControlOptions = {}): string {
  const maxAge = clampSeconds(options.maxAge ?? 0);
  if (revalidate <= 0) {
    return `public, max-age=${maxAge}, s-maxage=0, must-revalidate`;
  }
  const swr = clampSeconds(options.staleWhileRevalidate ?? DEFAULT_STALE_WHILE_REVALIDATE);
  const sMaxAge = stale ? 0 : clampSeconds(revalidate);
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
export function cacheControlHeader(options: CacheControlOptions | false, revalidate: number, stale: boolean): string | undefined {
  return options === false ? undefined : cacheControlFor(revalidate, stale, options);
}
