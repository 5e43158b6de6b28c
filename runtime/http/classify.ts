import { visitorHost } from './authority.js';
import { cacheKeyFor, type CacheKeyResult } from './cache-key.js';
import { requestUrl, type ISRRequest } from './request-info.js';

/** What decides whether a request may use the cache, compiled once per handler. */
export interface RequestKeyRules {
  /** Query parameters that select a different page (part of the key). */
  allowedQueryParams: ReadonlySet<string>;
  /** Tracking parameters dropped from the key. */
  isTracking: (name: string) => boolean;
  /** Requests with credentials (Authorization, configured cookies) bypass the cache. */
  hasCredentials: (req: ISRRequest) => boolean;
  /**
   * With the `hostKeys` option: the hosts that get their own key space (`//host/path`); requests
   * for any other host bypass the cache. Without it the Host is never part of the key.
   */
  hostKeys?: (host: string) => boolean;
}

/** Bypass reason of a request with credentials (its answer is marked private unless the app says otherwise). */
export const CREDENTIALS_REASON = 'request carries credentials';

/** Bypass reason of a request for a host off `allowedHosts` when keys are per host. */
export const HOST_NOT_ALLOWED_REASON = 'host not in allowedHosts';

/** The request's cache key, or why it must bypass the cache (method, credentials, query, path, host). */
export function classifyRequest(req: ISRRequest, rules: RequestKeyRules): CacheKeyResult {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { cacheable: false, reason: `method ${req.method ?? '?'}` };
  }
  if (rules.hasCredentials(req)) {
    return { cacheable: false, reason: CREDENTIALS_REASON };
  }
  const result = cacheKeyFor(requestUrl(req), rules.allowedQueryParams, rules.isTracking);
  if (!result.cacheable || rules.hostKeys === undefined) {
    return result;
  }
  return hostKey(visitorHost(req), result.key, rules.hostKeys);
}

/** `//host/path?query` for a host on the list (lower-cased), else a bypass. */
export function hostKey(host: string | undefined, key: string, allowed: (host: string) => boolean): CacheKeyResult {
  if (host === undefined || !allowed(host)) {
    return { cacheable: false, reason: HOST_NOT_ALLOWED_REASON };
  }
  return { cacheable: true, key: `//${host.toLowerCase()}${key}` };
}
