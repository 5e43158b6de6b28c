/**
 * RFC 9211 `Cache-Status` values for page answers, next to `x-isr-cache`:
 * `ng-isr; hit; ttl=42`, `ng-isr; fwd=stale; ttl=-3`, `ng-isr; fwd=miss; stored`,
 * `ng-isr; fwd=miss; detail="vary"`, `ng-isr; fwd=bypass; detail="credentials"`.
 */

/** Header name (RFC 9211). */
export const CACHE_STATUS = 'cache-status';

const NAME = 'ng-isr';

/**
 * Short fixed details for the reasons the handler gives; anything else is reduced to a safe
 * quoted string. Request-controlled text (a query parameter's name) never reaches the header.
 */
const DETAILS: ReadonlyArray<[prefix: string, detail: string]> = [
  ['method', 'method'],
  ['request carries credentials', 'credentials'],
  ['query parameter', 'query parameter'],
  ['unusual path', 'unusual path'],
  ['host not in allowedHosts', 'host'],
  ['cache unavailable', 'cache unavailable'],
  ['route has no revalidate', 'no revalidate'],
  ['response varies', 'vary'],
  ['response sets a cookie', 'set-cookie'],
  ['response is private or no-store', 'private'],
  ['status ', 'status'],
  ['not a server render', 'client shell'],
  ['an HttpClient request failed', 'http error'],
];

/** The `detail` parameter for a reason: a known short form, else the reason stripped to safe characters. */
export function statusDetail(reason: string): string {
  for (const [prefix, detail] of DETAILS) {
    if (reason.startsWith(prefix)) {
      return detail === 'status' ? reason.slice(0, 10).replace(/[^a-z0-9 ]/g, '') : detail;
    }
  }
  return reason.replace(/[^A-Za-z0-9 .,:/_-]/g, '').slice(0, 64) || 'not cacheable';
}

/** Builds the values; `detail: false` (option `cacheStatusDetail: false`) leaves reasons out. */
export class CacheStatusValues {
  constructor(private readonly detail: boolean) {}

  /** Served fresh from the cache; `ttl` = seconds left (omitted for `revalidate: 0`). */
  hit(ttl: number | undefined): string {
    return ttl === undefined ? `${NAME}; hit` : `${NAME}; hit; ttl=${ttl}`;
  }

  /** Served from the cache past its lifetime while one regeneration runs; `ttl` ≤ 0. */
  stale(ttl: number): string {
    return `${NAME}; fwd=stale; ttl=${ttl}`;
  }

  /** Rendered now; `stored`, or why not. */
  miss(notStored?: string): string {
    return notStored === undefined ? `${NAME}; fwd=miss; stored` : this.withDetail(`${NAME}; fwd=miss`, notStored);
  }

  /** The cache was not used for this request. */
  bypass(reason: string): string {
    return this.withDetail(`${NAME}; fwd=bypass`, reason);
  }

  private withDetail(value: string, reason: string): string {
    return this.detail ? `${value}; detail="${statusDetail(reason)}"` : value;
  }
}
