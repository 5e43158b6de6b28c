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
}

/** The request's cache key, or why it must bypass the cache (method, credentials, query). */
export function classifyRequest(req: ISRRequest, rules: RequestKeyRules): CacheKeyResult {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { cacheable: false, reason: `method ${req.method ?? '?'}` };
  }
  if (rules.hasCredentials(req)) {
    return { cacheable: false, reason: CREDENTIALS_REASON };
  }
  return cacheKeyFor(requestUrl(req), rules.allowedQueryParams, rules.isTracking);
}

/** Bypass reason of a request with credentials (its answer is marked private unless the app says otherwise). */
export const CREDENTIALS_REASON = 'request carries credentials';
