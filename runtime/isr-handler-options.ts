import type { CacheHandler } from './cache/cache-handler.js';
import { MemoryCacheHandler } from './cache/memory-cache-handler.js';
import { angularAppEngineAdapter, type AngularAppEngineLike } from './engine/angular-app-engine-adapter.js';
import { commonEngineAdapter, type CommonEngineLike } from './engine/common-engine-adapter.js';
import type { ISREngine } from './engine/isr-engine.js';
import { compileParamMatcher, DEFAULT_TRACKING_PARAMS } from './http/cache-key.js';
import type { RequestKeyRules } from './http/classify.js';
import type { CacheControlOptions } from './http/cache-control.js';
import { compileCredentialCheck, compileCredentialCookieName, DEFAULT_CREDENTIAL_COOKIES } from './http/credentials.js';
import { DEFAULT_VARY_DIMENSIONS } from './http/vary.js';
import { compileVariants, type CacheVariant } from './http/variants.js';
import type { StoreRules } from './render/cacheability.js';
import type { ModifyCachedHtml, ModifyGeneratedHtml } from './render/html-hooks.js';
import { compileCacheStatuses, COMMON_ENGINE_STATUS_WARNING } from './render/cache-statuses.js';
import { compileHostMatcher, configuredHosts, renderOrigin } from './http/origin.js';
import type { CdnOptions } from './cdn/cdn-options.js';
import { createEmitter, type ISREmit, type ISREventListener } from './render/isr-events.js';
import type { RetryOptions } from './render/backoff.js';
import { buildIdSources, deriveBuildId } from './render/build-id.js';
import { DEFAULT_FLEET_LOCK_TTL_MS } from './render/fleet-lock.js';
import { DEFAULT_OUTAGE_COPY_BYTES } from './render/outage-copy.js';
import { DEFAULT_MAX_QUEUED_RENDERS, defaultMaxConcurrentRenders } from './render/render-budget.js';
import { guardLogger, resolveLogger, type ISRLogger } from './utils/logger.js';

/** Limits of the invalidate endpoint. */
export interface InvalidateOptions {
  /** Most entries in `urlsToInvalidate` + `tags` per request (else 413). Default 100. */
  maxUrls?: number;
  /** Largest body the endpoint reads itself (else 413). Default 65536 bytes. */
  maxBodyBytes?: number;
  /** Regenerations run at once while invalidating. Default 4. */
  concurrency?: number;
  /**
   * Most pages one request regenerates (URLs first, then tag hits); the rest are marked stale and
   * regenerated on their next request (listed under `stale`). Default: `maxUrls`.
   */
  maxRegenerations?: number;
  /**
   * Failed token attempts per client (`req.ip`) and minute before the endpoint answers 429 with
   * `Retry-After` for the rest of that minute. Default 10; `0` turns the limit off.
   */
  maxFailedAttempts?: number;
}

export { DEFAULT_CREDENTIAL_COOKIES };

/** Default render timeout: 30 s. */
export const DEFAULT_RENDER_TIMEOUT_MS = 30_000;

/**
 * Options of {@link ISRHandler}. Give exactly one engine: `angularAppEngine` (Angular 19+),
 * `commonEngine` with `bootstrap`, `indexHtml` and `browserDistFolder` (the generated server.ts
 * of Angular 17–19), or a custom `engine`.
 */
export interface ISRHandlerOptions {
  /** The app's `AngularNodeAppEngine` instance. */
  angularAppEngine?: AngularAppEngineLike;
  /** The app's `CommonEngine` instance (needs `bootstrap`, `indexHtml`, `browserDistFolder`). */
  commonEngine?: CommonEngineLike;
  /** Bootstrap function or server module passed to `CommonEngine.render`. */
  bootstrap?: unknown;
  /** Absolute path of `index.server.html` (CommonEngine `documentFilePath`). */
  indexHtml?: string;
  /** Absolute path of the browser build folder (CommonEngine `publicPath`). */
  browserDistFolder?: string;
  /** Any other renderer (also how tests plug in a counting or failing engine). */
  engine?: ISREngine;
  /**
   * Secret for `POST /api/invalidate`, e.g. `process.env['ISR_INVALIDATE_TOKEN']`. Without it
   * the endpoint answers 403 to every request and a warning is logged at start-up.
   */
  invalidateSecretToken?: string;
  /** Where pages are stored. Default: a {@link MemoryCacheHandler} with its default byte bound. */
  cache?: CacheHandler;
  /** Query parameters that select a different page and become part of the cache key. Default none. */
  allowedQueryParams?: readonly string[];
  /**
   * Query parameters dropped from the cache key (a trailing `*` matches a prefix). Default:
   * {@link DEFAULT_TRACKING_PARAMS} (`utm_*`, `gclid`, `fbclid`, …).
   */
  trackingQueryParams?: readonly string[];
  /**
   * Cookies whose presence marks a personalised request (BYPASS), matched in any case; `*` matches
   * any characters (`wordpress_logged_in_*`). Default {@link DEFAULT_CREDENTIAL_COOKIES}. An
   * `Authorization` / `Proxy-Authorization` header and any `__Host-` / `__Secure-` cookie always count.
   */
  credentialCookies?: readonly string[];
  /** Longest a render may take before it counts as failed. Default 30000 ms. */
  renderTimeoutMs?: number;
  /**
   * Lifetime of a fleet render lock (tiers with `acquireLock`, i.e. Redis), renewed every third of
   * it while its holder renders: a crashed instance delays others by at most this. Default 5000 ms.
   */
  fleetLockTtlMs?: number;
  /** `Cache-Control` for cached pages, or `false` to keep the engine's header untouched. */
  cacheControl?: CacheControlOptions | false;
  /** Limits of `invalidate()`. */
  invalidate?: InvalidateOptions;
  /** Back-off after failed regenerations. */
  retry?: RetryOptions;
  /** Prepare br/gzip variants when storing. Default true. */
  compress?: boolean;
  /**
   * Origin every page that may be stored is rendered for (a visitor's MISS and every
   * regeneration), e.g. `https://www.example.com`; its host must be one the app allows. Default:
   * the first plain entry of `allowedHosts` (else `NG_ALLOWED_HOSTS`), else `http://localhost`.
   * Never taken from a request.
   */
  regenerationOrigin?: string;
  /**
   * Hosts the site is served under (`example.com`, `https://www.example.com`, `*.example.com`),
   * as given to Angular's `allowedHosts`. Default: `NG_ALLOWED_HOSTS` split at commas. The first
   * plain entry is the render origin when `regenerationOrigin` is not set.
   */
  allowedHosts?: readonly string[];
  /**
   * Per-host cache keys for a site that serves different content on several domains: each host on
   * `allowedHosts` gets its own key space; requests for other hosts BYPASS. Invalidation then
   * takes absolute URLs on allowed hosts (one host) or paths (every plain host on the list).
   * Default false: the Host is never part of the key.
   */
  hostKeys?: boolean;
  /** Reasons in `Cache-Status` (`detail="credentials"`); `false` leaves them out. Default true. */
  cacheStatusDetail?: boolean;
  /**
   * Id of the running build, stored with every entry: entries stored by another build are not
   * served as HITs; they are rendered again and replaced (so a redeploy never serves pages of the
   * previous build from a filesystem or Redis tier). Entries without an id (imported prerendered
   * pages, or stored with `buildId: false`) are served by any build.
   *
   * Default: derived once at construction from the build output, a short sha256 of the contents of
   * the server entry Node started (`process.argv[1]`, e.g. `dist/<app>/server/server.mjs`), the
   * `angular-app-manifest.mjs` next to it and, with CommonEngine, `indexHtml`. Missing files are
   * skipped; when none is readable, entries are not tied to a build. Set your own id (e.g. a git
   * sha or release number) to share a cache across differently built instances, or `false` to
   * turn the check off.
   */
  buildId?: string | false;
  /** Where to log; `false` = silent. Default: concise console lines. */
  logger?: ISRLogger | false;
  /** Listener for handler events (renders, stores, finished regenerations, cache errors). */
  onEvent?: ISREventListener;
  /** CDN tag headers, `CDN-Cache-Control` and purges after invalidations (docs/cdn.md). */
  cdn?: CdnOptions;
  /**
   * Most renders running at once in this process, of every kind (visitor misses and bypass
   * renders, background regenerations, invalidations). A render abandoned by `renderTimeoutMs`
   * keeps its slot until the engine really stops. Default: two per CPU core, 4 to 32.
   */
  maxConcurrentRenders?: number;
  /**
   * Most renders waiting for a slot (visitors ahead of regenerations); beyond it a cold miss gets
   * `503` with `Retry-After` and a stale page is served without starting a regeneration. A wait
   * ends after `renderTimeoutMs` the same way. `0` = no queue. Default 100.
   */
  maxQueuedRenders?: number;
  /**
   * Bytes of the in-process safety copy (pages served recently from the tier, and pages the tier
   * refused to store), served while the tier fails so that an outage costs one render per page,
   * not one per request. `0` = off. Default 16 MiB.
   */
  outageCopyBytes?: number;
  /**
   * Cache variants: request cookies or headers whose value selects a different stored page of the
   * same URL, each with the values that get their own entry (docs/configuration.md#cache-variants):
   * `[{ name: 'currency', cookie: 'currency', values: ['eur', 'gbp'] }]`. A request without the
   * cookie/header gets the plain page; any other value BYPASSes, so the entries per URL are bounded
   * by configuration. Renders of a variant carry its value and nothing else of the visitor;
   * invalidating a URL invalidates all its variants. A page's `Vary` on a covered cookie/header
   * becomes storable. Default none.
   */
  variants?: readonly CacheVariant[];
  /**
   * Edits each rendered page once, before it is stored (its ETag and br/gzip are made from the
   * result); may be async. A throw fails the render (nothing stored, the last good page stays).
   */
  modifyGeneratedHtml?: ModifyGeneratedHtml;
  /**
   * Edits each answer from the cache (HIT, STALE and a stored MISS); synchronous. Costs a decode,
   * an encode and a SHA-256 per answer and sends the result uncompressed; unset, answers are the
   * stored bytes as they are. A throw is logged and the stored page is sent unchanged.
   */
  modifyCachedHtml?: ModifyCachedHtml;
  /**
   * Non-200 answers to store, opted in per status with the seconds they stay fresh:
   * `{ 404: 60, 301: 3600 }` (redirects keep their `Location`). Allowed: 301, 302, 303, 307,
   * 308, 404, 410. Default none: only 200 pages are stored. CommonEngine reports no status (every
   * page is a 200), so with it this option has no effect (a warning says so).
   */
  cacheStatuses?: Readonly<Record<number, number>>;
  /**
   * The handler's clock in ms since the epoch (page ages, back-off). For tests; default `Date.now`.
   * @internal
   */
  now?: () => number;
}

/** The options with their defaults applied, as the handler's parts use them. */
export interface ResolvedISROptions {
  engine: ISREngine;
  logger: ISRLogger;
  emit: ISREmit;
  /** As configured; `configuredToken()` trims it and turns it off (403) when blank. */
  token: string | undefined;
  cache: CacheHandler;
  keyRules: RequestKeyRules;
  renderTimeoutMs: number;
  fleetLockTtlMs: number;
  cacheControl: CacheControlOptions | false;
  compress: boolean;
  buildId: string | undefined;
  /** Origin of every render whose page may be stored (from configuration only). */
  origin: string;
  /** Plain hosts of `allowedHosts` for per-host invalidation (empty without `hostKeys`). */
  keyHosts: string[];
  cacheStatusDetail: boolean;
  retry: RetryOptions | undefined;
  invalidateLimits: { maxUrls: number; maxBodyBytes: number; concurrency: number; maxRegenerations: number };
  /** Failed token attempts per client and minute before 429; `0` = no limit. */
  maxFailedAttempts: number;
  maxConcurrentRenders: number;
  maxQueuedRenders: number;
  outageCopyBytes: number;
  now: () => number;
  /** Which non-200 statuses are stored, and the `Vary` fields the cache serves itself. */
  storeRules: StoreRules;
  /** `Vary` fields every stored page gets from the variants (`Cookie`, header names), if any. */
  variantVary: string | undefined;
  modifyGeneratedHtml: ModifyGeneratedHtml | undefined;
  modifyCachedHtml: ModifyCachedHtml | undefined;
  /** Configuration warnings, logged when the handler answers its first request. */
  warnings: string[];
}

/**
 * Applies the defaults; throws a `TypeError` when no engine can be built from `options`.
 * `metrics` sees every event before the `onEvent` listener.
 */
export function resolveOptions(options: ISRHandlerOptions, metrics?: ISREventListener): ResolvedISROptions {
  const engine = resolveEngine(options);
  const hosts = configuredHosts(options.allowedHosts, process.env['NG_ALLOWED_HOSTS']);
  if (options.hostKeys === true && hosts.length === 0) {
    throw new TypeError('ISRHandler: hostKeys needs allowedHosts (or NG_ALLOWED_HOSTS): the hosts that get their own cache keys.');
  }
  const credentialCookies = options.credentialCookies ?? DEFAULT_CREDENTIAL_COOKIES;
  const variants = compileVariants(options.variants ?? [], compileCredentialCookieName(credentialCookies));
  const cacheStatuses = compileCacheStatuses(options.cacheStatuses);
  checkHook('modifyGeneratedHtml', options.modifyGeneratedHtml);
  checkHook('modifyCachedHtml', options.modifyCachedHtml);
  const varyFields = [...(variants?.varyFields ?? [])];
  return {
    engine,
    logger: guardLogger(resolveLogger(options.logger)),
    emit: createEmitter(options.onEvent, metrics),
    token: options.invalidateSecretToken,
    cache: options.cache ?? new MemoryCacheHandler(),
    keyRules: {
      allowedQueryParams: new Set(options.allowedQueryParams ?? []),
      isTracking: compileParamMatcher(options.trackingQueryParams ?? DEFAULT_TRACKING_PARAMS),
      hasCredentials: compileCredentialCheck(credentialCookies),
      hostKeys: options.hostKeys === true ? compileHostMatcher(hosts) : undefined,
      variants,
    },
    renderTimeoutMs: positive(options.renderTimeoutMs, DEFAULT_RENDER_TIMEOUT_MS),
    fleetLockTtlMs: positive(options.fleetLockTtlMs, DEFAULT_FLEET_LOCK_TTL_MS),
    cacheControl: options.cacheControl ?? {},
    compress: options.compress ?? true,
    buildId: options.buildId === false ? undefined : (options.buildId ?? derivedBuildId(options)),
    origin: renderOrigin(options.regenerationOrigin, hosts),
    keyHosts: options.hostKeys === true ? hosts.filter((host) => !host.includes('*')).map((host) => host.replace(/^https?:\/\//, '')) : [],
    cacheStatusDetail: options.cacheStatusDetail ?? true,
    retry: options.retry,
    invalidateLimits: invalidateLimits(options.invalidate ?? {}),
    maxFailedAttempts: options.invalidate?.maxFailedAttempts === 0 ? 0 : positive(options.invalidate?.maxFailedAttempts, 10),
    maxConcurrentRenders: Math.floor(positive(options.maxConcurrentRenders, defaultMaxConcurrentRenders())),
    maxQueuedRenders: Math.floor(nonNegative(options.maxQueuedRenders, DEFAULT_MAX_QUEUED_RENDERS)),
    outageCopyBytes: Math.floor(nonNegative(options.outageCopyBytes, DEFAULT_OUTAGE_COPY_BYTES)),
    now: options.now ?? (() => Date.now()),
    storeRules: { varyDimensions: new Set([...DEFAULT_VARY_DIMENSIONS, ...varyFields]), cacheStatuses },
    variantVary: varyFields.length > 0 ? varyFields.join(', ') : undefined,
    modifyGeneratedHtml: options.modifyGeneratedHtml,
    modifyCachedHtml: options.modifyCachedHtml,
    warnings: cacheStatuses.size > 0 && options.commonEngine !== undefined && !options.engine ? [COMMON_ENGINE_STATUS_WARNING] : [],
  };
}

function checkHook(name: string, hook: unknown): void {
  if (hook !== undefined && typeof hook !== 'function') {
    throw new TypeError(`ISRHandler: ${name} must be a function (html, context) => string.`);
  }
}

function invalidateLimits(options: InvalidateOptions): ResolvedISROptions['invalidateLimits'] {
  const maxUrls = positive(options.maxUrls, 100);
  return {
    maxUrls,
    maxBodyBytes: positive(options.maxBodyBytes, 65_536),
    concurrency: positive(options.concurrency, 4),
    maxRegenerations: positive(options.maxRegenerations, maxUrls),
  };
}

/** The default build id: from the build output files (see `ISRHandlerOptions.buildId`). */
function derivedBuildId(options: ISRHandlerOptions): string | undefined {
  const indexHtml = options.commonEngine && typeof options.indexHtml === 'string' ? options.indexHtml : undefined;
  return deriveBuildId(buildIdSources(indexHtml));
}

function resolveEngine(options: ISRHandlerOptions): ISREngine {
  if (options.engine) {
    return options.engine;
  }
  if (options.angularAppEngine) {
    return angularAppEngineAdapter(options.angularAppEngine);
  }
  if (options.commonEngine) {
    const { bootstrap, indexHtml, browserDistFolder } = options;
    if (bootstrap === undefined || typeof indexHtml !== 'string' || typeof browserDistFolder !== 'string') {
      throw new TypeError('ISRHandler: commonEngine needs bootstrap, indexHtml and browserDistFolder.');
    }
    return commonEngineAdapter({ commonEngine: options.commonEngine, bootstrap, indexHtml, browserDistFolder });
  }
  throw new TypeError('ISRHandler: pass angularAppEngine, or commonEngine with bootstrap, indexHtml and browserDistFolder.');
}

/** `value` when it is a finite number >= 0, else `fallback`. */
function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** `value` when it is a finite positive number, else `fallback`. */
function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
