/**
 * ng-isr runtime: Incremental Static Regeneration for Angular SSR servers.
 * Imported by the app's `server.ts` (ISRHandler, cache handlers) and server config (provideISR).
 */
export type { CacheEntry, CacheEntryVariants, CacheHandler } from './cache/cache-handler.js';
