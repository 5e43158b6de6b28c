import type { ISRRenderReport } from '../angular/isr-render-context.js';
import type { RenderedPage } from '../engine/isr-engine.js';
import { forbidsSharing } from '../http/cache-control.js';
import { DEFAULT_VARY_DIMENSIONS, unsupportedVary } from '../http/vary.js';

/** Reason given when a 200 server render came from a route without `data.revalidate`. */
export const NO_REVALIDATE_REASON = 'route has no revalidate';

/** Reason given for Angular's client-side fallback shell. */
export const CLIENT_SHELL_REASON = 'not a server render (client-side shell)';

/**
 * A real server render carries `ng-server-context="ssr"` on the root element; the client-side
 * shell Angular falls back to (Host off `allowedHosts`, untrusted forwarded headers) does not.
 */
const SERVER_RENDER_MARKERS = [Buffer.from('ng-server-context="ssr"'), Buffer.from("ng-server-context='ssr'")];

/** True when the body is a real server render (not the client-side shell). */
export function isServerRender(page: RenderedPage): boolean {
  return SERVER_RENDER_MARKERS.some((marker) => page.body.includes(marker));
}

function header(page: RenderedPage, name: string): string | string[] | undefined {
  const direct = page.headers[name];
  if (direct !== undefined) {
    return direct;
  }
  for (const [key, value] of Object.entries(page.headers)) {
    if (key.toLowerCase() === name) {
      return value;
    }
  }
  return undefined;
}

/** Reasons that belong to the route itself (rendered from a synthetic request): worth remembering per key. */
const ROUTE_REASONS = [NO_REVALIDATE_REASON, 'response sets a cookie', 'response is private or no-store', 'response varies'];

/** True when `reason` comes from how the route answers, not from a transient failure. */
export function isRouteReason(reason: string): boolean {
  return ROUTE_REASONS.some((prefix) => reason.startsWith(prefix));
}

/** What may be stored besides a plain 200 with `data.revalidate` (from the handler options). */
export interface StoreRules {
  /** What the cache serves per request itself: `Accept-Encoding`, and the `Vary` fields variants cover. */
  varyDimensions: ReadonlySet<string>;
  /** Opted-in non-200 statuses (option `cacheStatuses`) → seconds they are kept. */
  cacheStatuses: ReadonlyMap<number, number>;
}

export const DEFAULT_STORE_RULES: StoreRules = { varyDimensions: DEFAULT_VARY_DIMENSIONS, cacheStatuses: new Map() };

/**
 * Seconds a storable page stays fresh: an opted-in status's own seconds, else the route's
 * `data.revalidate`. Call only after {@link whyNotStorable} accepted the page.
 */
export function storedRevalidate(page: RenderedPage, report: ISRRenderReport, rules: StoreRules = DEFAULT_STORE_RULES): number {
  return rules.cacheStatuses.get(page.status) ?? (report.revalidate as number);
}

/**
 * Why a rendered page must not be stored, or `undefined` when it may be shared. Runs once per
 * render (never per hit); the order puts the cheap checks first. `rules.varyDimensions`: what the
 * cache serves per request itself (`Accept-Encoding`, configured variants); a `Vary` on anything
 * else (or `*`) means the page differs per visitor in a way the key does not hold.
 *
 * A status other than 200 is stored only when `rules.cacheStatuses` opts it in; it then needs no
 * route `revalidate` (it has its own seconds), a redirect needs no server-render marker (it has no
 * page), and failed HttpClient requests do not count (a 404 page usually comes from one).
 */
export function whyNotStorable(page: RenderedPage, report: ISRRenderReport, rules: StoreRules = DEFAULT_STORE_RULES): string | undefined {
  const optedIn = page.status !== 200 && rules.cacheStatuses.has(page.status);
  if (page.status !== 200 && !optedIn) {
    return `status ${page.status}`;
  }
  const redirect = page.status >= 300 && page.status < 400;
  // Before the route check: the shell never ran the app, so it has no revalidate either, and
  // "client-side shell" is the reason a user must see (a Host off allowedHosts).
  if (!redirect && !isServerRender(page)) {
    return CLIENT_SHELL_REASON;
  }
  const revalidate = report.revalidate;
  if (!optedIn && (typeof revalidate !== 'number' || !Number.isFinite(revalidate) || revalidate < 0)) {
    return NO_REVALIDATE_REASON;
  }
  if (header(page, 'set-cookie') !== undefined) {
    return 'response sets a cookie';
  }
  const cacheControl = header(page, 'cache-control');
  if (forbidsSharing(Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl)) {
    return 'response is private or no-store';
  }
  const vary = unsupportedVary(header(page, 'vary'), rules.varyDimensions);
  if (vary !== undefined) {
    return vary;
  }
  if (!optedIn && (report.httpErrors ?? 0) > 0) {
    return 'an HttpClient request failed during the render';
  }
  return undefined;
}
