/**
 * ng-isr server runtime: `ISRHandler`, the cache tiers and their types, without any Angular import,
 * so plain Node code (a script, a worker, a test of the server) can `import { ISRHandler } from
 * 'ng-isr/server'` without loading `@angular/compiler` first. The package entry (`ng-isr`) re-exports
 * all of it together with `provideISR()`.
 */
export type { CacheEntry, CacheEntryVariants, CacheHandler } from './cache/cache-handler.js';
export { ISRHandler } from './isr-handler.js';
export type { RenderOutcome } from './isr-handler.js';
export type { CloseOptions } from './render/close-within.js';
export type { FastPathListener, ListenCallback, NodeRequestListener } from './fast-path/fast-path.js';
export { DEFAULT_CREDENTIAL_COOKIES, DEFAULT_RENDER_TIMEOUT_MS } from './isr-handler-options.js';
export type { ISRHandlerOptions, InvalidateOptions } from './isr-handler-options.js';
export type { ISREvent, ISREventListener, RenderCause } from './render/isr-events.js';
export { ISRRenderContext } from './angular/isr-render-context.js';
export type { ISRRenderReport } from './angular/isr-render-context.js';
export { MemoryCacheHandler, DEFAULT_MEMORY_CACHE_BYTES } from './cache/memory-cache-handler.js';
export type { MemoryCacheHandlerOptions } from './cache/memory-cache-handler.js';
export { FileSystemCacheHandler, DEFAULT_FILESYSTEM_MAX_BYTES } from './cache/filesystem-cache-handler.js';
export type { FileSystemCacheHandlerOptions } from './cache/filesystem-cache-handler.js';
export type { PrerenderedImportOptions } from './cache/prerendered-import.js';
export { RedisCacheHandler, DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_MEMORY_LAYER } from './cache/redis-cache-handler.js';
export type { RedisCacheHandlerOptions } from './cache/redis-cache-handler.js';
export { RedisUnavailableError } from './cache/redis-connection.js';
export type { RedisClusterConfig } from './cache/redis-connection.js';
export type { RedisClientLike, RedisClusterLike } from './cache/redis-client-like.js';
export type { MemoryLayerOptions } from './cache/memory-layer.js';
export type { CacheLogger } from './cache/cache-logger.js';
export type { ISREngine, ISRRenderRequest, RenderedPage } from './engine/isr-engine.js';
export type { AngularAppEngineLike } from './engine/angular-app-engine-adapter.js';
export type { CommonEngineLike } from './engine/common-engine-adapter.js';
export type { ISRLogger } from './utils/logger.js';
export type { CacheControlOptions } from './http/cache-control.js';
export type { RetryOptions } from './render/backoff.js';
export type { InvalidateResult } from './invalidate/invalidation-run.js';
export type { CacheVariant } from './http/variants.js';
export type { ModifyGeneratedHtml, ModifyCachedHtml, GeneratedHtmlContext, CachedHtmlContext } from './render/html-hooks.js';
export { CACHEABLE_STATUSES } from './render/cache-statuses.js';
export type { ISRCacheStatus } from './http/write-entry.js';
export { DEFAULT_TRACKING_PARAMS } from './http/cache-key.js';
export { cdnKeyTag, TAG_HEADER_FORMATS, type CdnTagHeaderKind } from './cdn/tag-header.js';
export { PurgeError, type Purger, type PurgeRequest, type PurgeHttpOptions } from './cdn/purger.js';
export { cloudflarePurger, type CloudflarePurgerOptions } from './cdn/cloudflare-purger.js';
export { fastlyPurger, type FastlyPurgerOptions } from './cdn/fastly-purger.js';
export { webhookPurger, webhookSignature, WEBHOOK_SIGNATURE_HEADER, type WebhookPurgerOptions } from './cdn/webhook-purger.js';
export { ISRMetrics, DEFAULT_METRICS_PREFIX } from './metrics/isr-metrics.js';
export { RENDER_SECONDS_BUCKETS, type ISRMetricsSnapshot, type RenderHistogram } from './metrics/metric-counters.js';
export type { CdnOptions, CdnCachePage } from './cdn/cdn-options.js';
export type { PrometheusRegistryLike } from './metrics/prometheus.js';
export type { AnswerStatus } from './render/isr-events.js';
