/**
 * Where the cache tiers report problems (damaged files, Redis outages). `ISRHandler`'s logger
 * fits this shape, so one logger object can be passed to both.
 */
export interface CacheLogger {
  warn(message: string): void;
  info?(message: string): void;
}

/** Default logger: one concise console line per event, prefixed like the handler's. */
export const consoleCacheLogger: CacheLogger = {
  warn: (message) => console.warn(`[ng-isr] ${message}`),
  info: (message) => console.log(`[ng-isr] ${message}`),
};
