import { isRouteReason, isServerRender } from './cacheability.js';
import type { RenderOutcome } from './store.js';

/**
 * Why a regenerated page no longer belongs in the cache, or `undefined` when the failure is
 * transient and the last good page must stay. Gone: no page at all, 404/410, a redirect, or a real
 * 200 server render that may not be shared (the route lost `revalidate`, answers private or sets a
 * cookie). Transient: 5xx and other statuses, the client-side shell, failed HttpClient requests,
 * a cache that refused the store (and throws and timeouts, which never get here).
 * CommonEngine reports no status (always 200): a deleted page is found through its route instead.
 */
export function goneReason(outcome: RenderOutcome): string | undefined {
  const { page, report } = outcome;
  if (page === null) {
    return 'the engine has no page for this URL';
  }
  if (page.status === 404 || page.status === 410) {
    return `status ${page.status}`;
  }
  if (page.status >= 300 && page.status < 400) {
    return `redirect (status ${page.status})`;
  }
  if (page.status !== 200 || !isServerRender(page) || (report.httpErrors ?? 0) > 0) {
    return undefined;
  }
  // The route's own answer (no revalidate, a cookie, private, Vary); anything else (the tier refused it) is transient.
  return outcome.notStored !== undefined && isRouteReason(outcome.notStored) ? outcome.notStored : undefined;
}
