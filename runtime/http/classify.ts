import { visitorHost } from './authority.js';
import { cacheKeyFor, type CacheKeyResult } from './cache-key.js';
import { requestUrl, type ISRRequest } from './request-info.js';
import type { VariantRules } from './variants.js';

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
  /** With the `variants` option: the request's cookie/header values that select a stored variant. */
  variants?: VariantRules;
}

/** Bypass reason of a request with credentials (its answer is marked private unless the app says otherwise). */
export const CREDENTIALS_REASON = 'request carries credentials';

/** Bypass reason of a request for a host off `allowedHosts` when keys are per host. */
export const HOST_NOT_ALLOWED_REASON = 'host not in allowedHosts';

/**
 * The request's cache key, or why it must bypass the cache (method, credentials, query, path,
 * host, variant value). The one key function: every way a page request reaches the cache uses it.
 */
export function classifyRequest(req: ISRRequest, rules: RequestKeyRules): CacheKeyResult {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { cacheable: false, reason: `method ${req.method ?? '?'}` };
  }
  if (rules.hasCredentials(req)) {
    return { cacheable: false, reason: CREDENTIALS_REASON };
  }
  let result = cacheKeyFor(requestUrl(req), rules.allowedQueryParams, rules.isTracking);
  if (result.cacheable && rules.hostKeys !== undefined) {
    result = hostKey(visitorHost(req), result.key, rules.hostKeys);
  }
  if (!result.cacheable || rules.variants === undefined) {
    return result;
  }
  const variant = rules.variants.suffixOf(req);
  return variant.ok ? { cacheable: true, key: result.key + variant.suffix } : { cacheable: false, reason: variant.reason };
}

/** `//host/path?query` for a host on the list (lower-cased), else a bypass. */
export function hostKey(host: string | undefined, key: string, allowed: (host: string) => boolean): CacheKeyResult {
  if (host === undefined || !allowed(host)) {
    return { cacheable: false, reason: HOST_NOT_ALLOWED_REASON };
  }
  return { cacheable: true, key: `//${host.toLowerCase()}${key}` };
}
