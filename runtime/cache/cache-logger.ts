/**
 * Where the cache tiers report problems (damaged files, Redis outages). `ISRHandler`'s logger
 * fits this shape, so one logger object can be passed to both; the default is the handler's
 * console logger (`utils/logger.ts`).
 */
export interface CacheLogger {
  warn(message: string): void;
  info?(message: string): void;
}
