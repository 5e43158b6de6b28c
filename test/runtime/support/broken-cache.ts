import type { CacheHandler } from '../../../runtime/cache/cache-handler.js';

/** A cache tier whose every operation rejects with `message` (an outage from the first request). */
export function brokenCache(message: string): CacheHandler {
  const fail = () => Promise.reject(new Error(message));
  return { get: fail, set: fail, delete: fail, keysByTag: fail, clear: fail };
}
