import type { ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheHandler } from './cache/cache-handler.js';
import { MemoryCacheHandler } from './cache/memory-cache-handler.js';
import { angularAppEngineAdapter } from './engine/angular-app-engine-adapter.js';
import { commonEngineAdapter } from './engine/common-engine-adapter.js';
import type { ISREngine, ISRRenderRequest, RenderedPage } from './engine/isr-engine.js';
import { handleInvalidate } from './invalidate/invalidate-endpoint.js';
import type { ISREvent, ISREventListener, RenderCause } from './isr-events.js';
import {
  DEFAULT_CREDENTIAL_COOKIES,
  DEFAULT_RENDER_TIMEOUT_MS,
  type ISRHandlerOptions,
} from './isr-handler-options.js';
import { createRenderContext, type ISRRenderReport } from './angular/isr-render-context.js';
import { Backoff } from './render/backoff.js';
import { CLIENT_SHELL_REASON, NO_REVALIDATE_REASON, whyNotStorable } from './render/cacheability.js';
import { cacheControlFor, type CacheControlOptions } from './http/cache-control.js';
import { bodyParserRejection } from './invalidate/body-parser-errors.js';
import { buildIdSources, deriveBuildId } from './render/build-id.js';
import { cacheKeyFor, compileParamMatcher, DEFAULT_TRACKING_PARAMS, type CacheKeyResult } from './http/cache-key.js';
import { buildEntry } from './cache/entry-builder.js';
import { errorMessage, resolveLogger, type ISRLogger } from './utils/logger.js';
import {
  absoluteUrl,
  compileCredentialCheck,
  firstAllowedHost,
  requestUrl,
  type ISRNext,
  type ISRRequest,
} from './http/request-info.js';
import { SingleFlight } from './render/single-flight.js';
import { withTimeout } from './utils/timeout.js';
import { writeEntry, writeRendered, type ISRCacheStatus } from './http/write-entry.js';

/** Result of one render through the single flight. */
export interface RenderOutcome {
  /** `null` when the engine has no page for the URL. */
  page: RenderedPage | null;
  report: ISRRenderReport;
  /** The stored entry, when the page was cacheable and the cache accepted it. */
  entry?: CacheEntry;
  /** Why the page was not stored. */
  notStored?: string;
}

/** Thrown (to the flight's joiners) when a regeneration produced nothing storable. */
class RegenerationFailed extends Error {}

/** Keys whose route proved uncacheable are remembered this long, so their requests skip the single flight. */
const UNCACHEABLE_MEMORY_MS = 60_000;

/**
 * Incremental Static Regeneration for an Angular SSR server: serves rendered pages from a cache,
 * regenerates them in the background after `data.revalidate` seconds (stale-while-revalidate),
 * and on demand through a token-checked endpoint.
 *
 * ```ts
 * const isr = new ISRHandler({ angularAppEngine, invalidateSecretToken: process.env['ISR_INVALIDATE_TOKEN'] });
 * app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
 * app.use((req, res, next) => isr.handle(req, res, next));
 * ```
 */
export class ISRHandler {
  /** The cache tier in use. */
  readonly cache: CacheHandler;
  private readonly engine: ISREngine;
  private readonly logger: ISRLogger;
  private readonly onEvent?: ISREventListener;
  private readonly token?: string;
  private readonly allowedQueryParams: ReadonlySet<string>;
  private readonly isTracking: (name: string) => boolean;
  private readonly hasCredentials: (req: ISRRequest) => boolean;
  private readonly renderTimeoutMs: number;
  private readonly cacheControl: CacheControlOptions | false;
  private readonly compress: boolean;
  private readonly buildId?: string;
  private readonly configuredOrigin?: string;
  private readonly flights = new SingleFlight<RenderOutcome>();
  private readonly backoff: Backoff;
  private readonly uncacheable = new LRUCache<string, string>({ max: 10_000, ttl: UNCACHEABLE_MEMORY_MS });
  private readonly invalidateLimits: { maxUrls: number; maxBodyBytes: number; concurrency: number };
  /** Origin of the last visitor request whose render was stored (an origin the app accepts). */
  private learnedOrigin?: string;
  /** True between a cache failure and the next successful lookup (one log line per outage). */
  private cacheDown = false;
  /** The client-side-shell warning is logged once per handler. */
  private warnedShell = false;
  /** Mount path seen on visitor requests, reused for background renders. */
  private baseUrl = '';

  /**
   * Error middleware for the invalidate route, placed after `express.json()` and `isr.invalidate`:
   * answers what the body parser refused (malformed JSON 400, a body over its `limit` 413, an
   * unsupported charset or encoding 415, an aborted or truncated body 400) with the endpoint's JSON
   * `{ error }` instead of Express's HTML error page, and passes every other error on to `next(err)`.
   * The body is never echoed (it may hold the token).
   *
   * ```ts
   * app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
   * ```
   * Pass `isr.invalidate` itself (it is bound) rather than `(req, res) => isr.invalidate(req, res)`:
   * next to an error handler, Express's typings cannot infer an inline handler's parameter types.
   * Express tells error middleware by its four parameters, so this is an arrow function property
   * with exactly four. It only sees errors of its own route: a global `app.use(express.json())`
   * reports to the app's error handlers instead.
   */
  readonly invalidateBodyErrors = (error: unknown, _req: ISRRequest, res: ServerResponse, next: ISRNext): void => {
    const rejection = bodyParserRejection(error);
    if (rejection === undefined || res.headersSent) {
      return next(error);
    }
    this.logger.debug?.(`invalidate: request body refused (${rejection.status}): ${rejection.error}`);
    sendJsonError(res, rejection.status, rejection.error);
  };

  constructor(options: ISRHandlerOptions) {
    this.engine = resolveEngine(options);
    this.logger = resolveLogger(options.logger);
    this.onEvent = options.onEvent;
    this.token = options.invalidateSecretToken === '' ? undefined : options.invalidateSecretToken;
    this.cache = options.cache ?? new MemoryCacheHandler();
    this.allowedQueryParams = new Set(options.allowedQueryParams ?? []);
    this.isTracking = compileParamMatcher(options.trackingQueryParams ?? DEFAULT_TRACKING_PARAMS);
    this.hasCredentials = compileCredentialCheck(options.credentialCookies ?? DEFAULT_CREDENTIAL_COOKIES);
    this.renderTimeoutMs = positive(options.renderTimeoutMs, DEFAULT_RENDER_TIMEOUT_MS);
    this.cacheControl = options.cacheControl ?? {};
    this.compress = options.compress ?? true;
    this.buildId = options.buildId === false ? undefined : (options.buildId ?? derivedBuildId(options));
    this.configuredOrigin = options.regenerationOrigin?.replace(/\/+$/, '');
    this.backoff = new Backoff(options.retry);
    this.invalidateLimits = {
      maxUrls: positive(options.invalidate?.maxUrls, 100),
      maxBodyBytes: positive(options.invalidate?.maxBodyBytes, 65_536),
      concurrency: positive(options.invalidate?.concurrency, 4),
    };
    if (this.token === undefined) {
      this.logger.warn(
        'invalidateSecretToken is not set: on-demand invalidation is off (the endpoint answers 403). ' +
          'Set ISR_INVALIDATE_TOKEN to enable it.',
      );
    }
    this.handle = this.handle.bind(this);
    this.serveFromCache = this.serveFromCache.bind(this);
    this.invalidate = this.invalidate.bind(this);
  }

  /**
   * Page middleware (the catch-all): answers from the cache, else renders once per key
   * (single flight), stores cacheable pages and writes the response with `x-isr-cache`.
   * Calls `next()` when the engine has no page and `next(error)` when the render failed.
   */
  async handle(req: ISRRequest, res: ServerResponse, next: ISRNext): Promise<void> {
    try {
      this.rememberBaseUrl(req);
      const key = this.classify(req);
      if (!key.cacheable) {
        return await this.renderBypass(req, res, next, key.reason);
      }
      let entry: CacheEntry | undefined;
      try {
        entry = await this.cache.get(key.key);
      } catch (error) {
        this.cacheError('get', error);
        return await this.renderBypass(req, res, next, 'cache unavailable');
      }
      this.cacheAnswered();
      if (entry && this.isCurrentBuild(entry)) {
        return this.serveEntry(req, res, entry);
      }
      const knownUncacheable = this.uncacheable.get(key.key);
      if (knownUncacheable !== undefined) {
        return await this.renderBypass(req, res, next, knownUncacheable, key.key);
      }
      await this.renderMiss(req, res, next, key.key);
    } catch (error) {
      next(error);
    }
  }

  /**
   * Cheap middleware for in front of `express.static`: answers cached pages (HIT, or STALE with
   * a background regeneration) and calls `next()` for everything else.
   */
  async serveFromCache(req: ISRRequest, res: ServerResponse, next: ISRNext): Promise<void> {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || this.hasCredentials(req)) {
      return next();
    }
    this.rememberBaseUrl(req);
    const key = cacheKeyFor(requestUrl(req), this.allowedQueryParams, this.isTracking);
    if (!key.cacheable) {
      return next();
    }
    let entry: CacheEntry | undefined;
    try {
      entry = await this.cache.get(key.key);
    } catch (error) {
      this.cacheError('get', error);
      return next();
    }
    this.cacheAnswered();
    if (!entry || !this.isCurrentBuild(entry)) {
      return next();
    }
    try {
      this.serveEntry(req, res, entry);
    } catch (error) {
      next(error);
    }
  }

  /**
   * `POST /api/invalidate`: `{ token, urlsToInvalidate?, tags? }` (token also as
   * `Authorization: Bearer`). Regenerates the cached pages named and answers
   * `{ invalidated, notInCache, failed }`; 400/401/403/413 with `{ error }` otherwise.
   * Bound to this handler, so `isr.invalidate` can be passed to Express as it is.
   */
  async invalidate(req: ISRRequest, res: ServerResponse): Promise<void> {
    try {
      await this.runInvalidate(req, res);
    } catch (error) {
      // Never an unhandled rejection (Express 4 would not catch it); the token is not in `error`.
      this.logger.error(`invalidate failed: ${errorMessage(error)}`);
      if (!res.headersSent) {
        sendJsonError(res, 500, 'Invalidation failed on the server; see the server log.');
      }
    }
  }

  private async runInvalidate(req: ISRRequest, res: ServerResponse): Promise<void> {
    await handleInvalidate(req, res, {
      token: this.token,
      limits: this.invalidateLimits,
      allowedQueryParams: this.allowedQueryParams,
      isTracking: this.isTracking,
      cache: this.cache,
      logger: this.logger,
      regenerate: (key) => this.regenerate(key, 'invalidate', true),
      cacheError: (operation, error) => this.cacheError(operation, error),
    });
  }

  /** Settles once no render started by this handler is running (for tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.flights.size > 0) {
      await this.flights.settled();
    }
  }

  /** Waits for running renders, then closes the cache tier (connections, timers). */
  async close(): Promise<void> {
    await this.idle();
    await this.cache.close?.();
  }

  private classify(req: ISRRequest): CacheKeyResult {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { cacheable: false, reason: `method ${req.method ?? '?'}` };
    }
    if (this.hasCredentials(req)) {
      return { cacheable: false, reason: 'request carries credentials' };
    }
    return cacheKeyFor(requestUrl(req), this.allowedQueryParams, this.isTracking);
  }

  /** Entries of another build are not served; entries tied to no build (imported prerendered pages) are. */
  private isCurrentBuild(entry: CacheEntry): boolean {
    return this.buildId === undefined || entry.buildId === undefined || entry.buildId === this.buildId;
  }

  private isStale(entry: CacheEntry, now: number): boolean {
    return (entry.revalidate > 0 && now - entry.createdAt >= entry.revalidate * 1000) || this.backoff.isFailing(entry.key);
  }

  private cacheControlHeader(revalidate: number, stale: boolean): string | undefined {
    return this.cacheControl === false ? undefined : cacheControlFor(revalidate, stale, this.cacheControl);
  }

  /** HIT or STALE (starting one background regeneration). */
  private serveEntry(req: ISRRequest, res: ServerResponse, entry: CacheEntry): void {
    const stale = this.isStale(entry, Date.now());
    if (stale) {
      this.scheduleRegeneration(entry.key);
    }
    writeEntry(req, res, entry, stale ? 'STALE' : 'HIT', this.cacheControlHeader(entry.revalidate, stale));
  }

  /** Renders a cold key once for every concurrent request; shares the page only when it was stored. */
  private async renderMiss(req: ISRRequest, res: ServerResponse, next: ISRNext, key: string): Promise<void> {
    const visitor = this.visitorRenderRequest(req);
    const flight = this.flights.run(key, () => this.renderMissOnce(key, visitor));
    let outcome: RenderOutcome;
    try {
      outcome = await flight.promise;
    } catch (error) {
      if (flight.started) {
        this.logger.error(`render of ${key} failed: ${errorMessage(error)}`);
      }
      return next(error);
    }
    if (outcome.page === null) {
      return next();
    }
    if (outcome.entry) {
      if (flight.started) {
        this.learnedOrigin = originOf(visitor.url);
      }
      writeEntry(req, res, outcome.entry, 'MISS', this.cacheControlHeader(outcome.entry.revalidate, false));
      return;
    }
    if (!flight.started) {
      // The leader's page may be personal (cookies, private): render this request on its own.
      return this.renderBypass(req, res, next, outcome.notStored ?? 'not cacheable', key);
    }
    writeRendered(req, res, outcome.page, 'BYPASS');
  }

  /**
   * The render behind a MISS. With a fleet-wide lock (shared tiers such as Redis), an instance
   * that does not get the lock waits for the holder's page instead of rendering it again; when
   * the holder finishes without storing (an uncacheable page) the lock frees and this instance
   * renders itself.
   */
  private async renderMissOnce(key: string, visitor: Omit<ISRRenderRequest, 'context' | 'signal'>): Promise<RenderOutcome> {
    if (!this.cache.acquireLock) {
      return this.renderAndStore(key, visitor, 'miss');
    }
    const deadline = Date.now() + this.renderTimeoutMs;
    let delay = 10;
    let waited = false;
    while (!(await this.lock(key))) {
      waited = true;
      const stored = await this.peerEntry(key);
      if (stored || Date.now() >= deadline) {
        return stored ?? this.renderAndStore(key, visitor, 'miss');
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
    try {
      // The holder may have stored the page and released the lock since the last look.
      return (waited ? await this.peerEntry(key) : undefined) ?? (await this.renderAndStore(key, visitor, 'miss'));
    } finally {
      await this.unlock(key);
    }
  }

  /** The current-build entry another instance stored for `key`, as a render outcome. */
  private async peerEntry(key: string): Promise<RenderOutcome | undefined> {
    let entry: CacheEntry | undefined;
    try {
      entry = await this.cache.get(key);
    } catch (error) {
      this.cacheError('get', error);
      return undefined;
    }
    return entry && this.isCurrentBuild(entry)
      ? { page: entry, report: { revalidate: entry.revalidate, tags: entry.tags }, entry }
      : undefined;
  }

  /** Plain SSR for a request that must not touch the cache. */
  private async renderBypass(req: ISRRequest, res: ServerResponse, next: ISRNext, reason: string, key?: string): Promise<void> {
    let page: RenderedPage | null;
    try {
      page = await this.render(this.visitorRenderRequest(req), key, 'bypass');
    } catch (error) {
      this.logger.error(`render of ${requestUrl(req).split('?', 1)[0]} failed: ${errorMessage(error)}`);
      return next(error);
    }
    if (page === null) {
      return next();
    }
    this.logger.debug?.(`BYPASS ${requestUrl(req).split('?', 1)[0]}: ${reason}`);
    const personal = reason === 'request carries credentials' && !hasHeader(page.headers, 'cache-control');
    writeRendered(req, res, page, 'BYPASS' satisfies ISRCacheStatus, personal ? { 'cache-control': 'private, no-store' } : {});
  }

  /** Runs the engine with the render timeout and reports the render event. */
  private async render(
    request: Omit<ISRRenderRequest, 'context' | 'signal'>,
    key: string | undefined,
    cause: RenderCause,
    report = createRenderContext(),
  ): Promise<RenderedPage | null> {
    const started = performance.now();
    const page = await withTimeout(this.renderTimeoutMs, (signal) => this.engine.render({ ...request, context: report, signal }));
    this.emit({ type: 'render', key, cause, status: page?.status ?? null, durationMs: performance.now() - started });
    return page;
  }

  /** Renders `key` and stores the page when it may be shared. */
  private async renderAndStore(
    key: string,
    request: Omit<ISRRenderRequest, 'context' | 'signal'>,
    cause: RenderCause,
  ): Promise<RenderOutcome> {
    const report = createRenderContext();
    const page = await this.render(request, key, cause, report);
    if (page === null) {
      return { page, report, notStored: 'the engine has no page for this URL' };
    }
    const reason = whyNotStorable(page, report);
    if (reason !== undefined) {
      // Only a real 200 server render proves the route has no revalidate (checked in that order);
      // error answers and the client-side shell (a bad Host provokes it) never switch caching off.
      if (reason === NO_REVALIDATE_REASON) {
        this.uncacheable.set(key, reason);
      } else if (reason === CLIENT_SHELL_REASON && !this.warnedShell) {
        this.warnedShell = true;
        this.logger.warn(
          `the engine answered ${key} with the client-side shell (host "${hostOf(request.url)}" is not in ` +
            'allowedHosts / NG_ALLOWED_HOSTS?); such answers are never cached',
        );
      }
      this.emit({ type: 'skip-store', key, cause, reason });
      return { page, report, notStored: reason };
    }
    const entry = await buildEntry({
      key,
      status: page.status,
      headers: page.headers,
      body: page.body,
      revalidate: report.revalidate as number,
      tags: report.tags ?? [],
      buildId: this.buildId,
      compress: this.compress,
      now: Date.now(),
    });
    try {
      await this.cache.set(entry);
    } catch (error) {
      this.cacheError('set', error);
      return { page, report, notStored: 'cache unavailable' };
    }
    this.emit({ type: 'store', key, cause, revalidate: entry.revalidate });
    return { page, report, entry };
  }

  /** Starts a background regeneration unless one runs or the key is backing off. */
  private scheduleRegeneration(key: string): void {
    if (this.flights.get(key) !== undefined || !this.backoff.mayAttempt(key, Date.now())) {
      return;
    }
    this.regenerate(key, 'regenerate', false).catch(() => undefined);
  }

  /**
   * Renders `key` from a synthetic request and replaces the entry; on failure the last good page
   * stays, the failure is logged once per streak and the key backs off. `fresh` (invalidation)
   * waits for a render already running and then renders again, so the result reflects the
   * content change that triggered it.
   */
  private async regenerate(key: string, cause: 'regenerate' | 'invalidate', fresh: boolean): Promise<RenderOutcome> {
    if (fresh) {
      await this.flights.get(key)?.catch(() => undefined);
    }
    return this.flights.run(key, () => this.regenerateNow(key, cause)).promise;
  }

  private async regenerateNow(key: string, cause: 'regenerate' | 'invalidate'): Promise<RenderOutcome> {
    const locked = await this.lock(key);
    if (!locked) {
      // Another instance of the fleet regenerates this key; its result lands in the shared cache.
      return { page: null, report: {}, notStored: 'another instance is regenerating this page' };
    }
    try {
      const outcome = await this.renderAndStore(key, this.syntheticRenderRequest(key), cause);
      if (!outcome.entry) {
        throw new RegenerationFailed(outcome.notStored ?? 'not stored');
      }
      const failures = this.backoff.succeed(key);
      if (failures > 0) {
        this.logger.info(`regeneration of ${key} recovered after ${failures} failed attempt(s)`);
      }
      this.emit({ type: 'regeneration', key, cause, ok: true });
      return outcome;
    } catch (error) {
      const reason = errorMessage(error);
      const { failures, retryInMs } = this.backoff.fail(key, Date.now());
      const line = `regeneration of ${key} failed: ${reason}; serving the last good page, next attempt in ${Math.round(retryInMs / 1000)} s`;
      if (failures === 1) {
        this.logger.warn(line);
      } else {
        this.logger.debug?.(line);
      }
      this.emit({ type: 'regeneration', key, cause, ok: false, reason, failures, retryInMs });
      throw error instanceof Error ? error : new RegenerationFailed(reason);
    } finally {
      await this.unlock(key);
    }
  }

  private async lock(key: string): Promise<boolean> {
    if (!this.cache.acquireLock) {
      return true;
    }
    try {
      return await this.cache.acquireLock(key, this.renderTimeoutMs + 5_000);
    } catch (error) {
      this.cacheError('lock', error);
      return true;
    }
  }

  private async unlock(key: string): Promise<void> {
    try {
      await this.cache.releaseLock?.(key);
    } catch (error) {
      this.cacheError('lock', error);
    }
  }

  private visitorRenderRequest(req: ISRRequest): Omit<ISRRenderRequest, 'context' | 'signal'> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    return { url: absoluteUrl(req), headers, nodeRequest: req, baseUrl: req.baseUrl ?? '' };
  }

  /** A request with nothing of any visitor in it: path + allowed query on an allowed host. */
  private syntheticRenderRequest(key: string): Omit<ISRRenderRequest, 'context' | 'signal'> {
    const origin = this.regenerationOrigin();
    return {
      url: `${origin}${key}`,
      headers: { accept: 'text/html', 'user-agent': 'ng-isr-regeneration' },
      baseUrl: this.baseUrl,
    };
  }

  private regenerationOrigin(): string {
    if (this.configuredOrigin !== undefined) {
      return this.configuredOrigin;
    }
    const host = firstAllowedHost(process.env['NG_ALLOWED_HOSTS']);
    return host !== undefined ? `http://${host}` : (this.learnedOrigin ?? 'http://localhost');
  }

  private rememberBaseUrl(req: ISRRequest): void {
    if (req.baseUrl !== undefined && req.baseUrl !== this.baseUrl) {
      this.baseUrl = req.baseUrl;
    }
  }

  /** Logs the first cache failure of an outage (every failure is still an event). */
  private cacheError(operation: 'get' | 'set' | 'delete' | 'keysByTag' | 'lock', error: unknown): void {
    const message = errorMessage(error);
    if (!this.cacheDown) {
      this.cacheDown = true;
      this.logger.warn(`cache ${operation} failed (${message}); answering without the cache until it recovers`);
    }
    this.emit({ type: 'cache-error', operation, message });
  }

  /** Ends an outage started by {@link cacheError} once a lookup succeeds again. */
  private cacheAnswered(): void {
    if (this.cacheDown) {
      this.cacheDown = false;
      this.logger.info('cache answers again');
    }
  }

  private emit(event: ISREvent): void {
    if (this.onEvent) {
      try {
        this.onEvent(event);
      } catch {
        // A listener must not break request handling.
      }
    }
  }
}

/** The default build id: from the build output files (see `ISRHandlerOptions.buildId`). */
function derivedBuildId(options: ISRHandlerOptions): string | undefined {
  const indexHtml = options.commonEngine && typeof options.indexHtml === 'string' ? options.indexHtml : undefined;
  return deriveBuildId(buildIdSources(indexHtml));
}

function sendJsonError(res: ServerResponse, status: number, error: string): void {
  const payload = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
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

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
