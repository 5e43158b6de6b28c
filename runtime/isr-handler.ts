import type { ServerResponse } from 'node:http';
import type { CacheEntry, CacheHandler } from './cache/cache-handler.js';
import { cacheControlHeader, type CacheControlOptions } from './http/cache-control.js';
import { classifyRequest, type RequestKeyRules } from './http/classify.js';
import type { ISRNext, ISRRequest } from './http/request-info.js';
import { sendJsonError } from './http/send-json.js';
import { writeEntry } from './http/write-entry.js';
import { bodyParserRejection } from './invalidate/body-parser-errors.js';
import { handleInvalidate, type InvalidateDeps } from './invalidate/invalidate-endpoint.js';
import { resolveOptions, type ISRHandlerOptions } from './isr-handler-options.js';
import { Backoff } from './render/backoff.js';
import { CacheAccess } from './render/cache-access.js';
import { FleetLock } from './render/fleet-lock.js';
import { OutageCopy } from './render/outage-copy.js';
import { RenderBudget } from './render/render-budget.js';
import { Regenerator } from './render/regeneration.js';
import { RenderRequests } from './render/render-requests.js';
import { Renderer } from './render/renderer.js';
import { RenderResponder } from './render/responder.js';
import { SingleFlight } from './render/single-flight.js';
import { PageStore, type RenderOutcome } from './render/store.js';
import { errorMessage, type ISRLogger } from './utils/logger.js';

export type { RenderOutcome };

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
  private readonly logger: ISRLogger;
  private readonly keyRules: RequestKeyRules;
  private readonly cacheControl: CacheControlOptions | false;
  private readonly access: CacheAccess;
  private readonly requests: RenderRequests;
  private readonly flights = new SingleFlight<RenderOutcome>();
  private readonly store: PageStore;
  private readonly regenerator: Regenerator;
  private readonly responder: RenderResponder;
  private readonly invalidateDeps: InvalidateDeps;
  private readonly budget: RenderBudget;
  private readonly outageCopy: OutageCopy;
  private readonly now: () => number;

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
    const resolved = resolveOptions(options);
    const { logger, emit, cache, buildId, renderTimeoutMs, now } = resolved;
    this.cache = cache;
    this.logger = logger;
    this.now = now;
    this.keyRules = resolved.keyRules;
    this.cacheControl = resolved.cacheControl;
    this.access = new CacheAccess(cache, buildId, logger, emit);
    this.requests = new RenderRequests(resolved.regenerationOrigin);
    this.budget = new RenderBudget(resolved.maxConcurrentRenders, resolved.maxQueuedRenders, renderTimeoutMs);
    this.outageCopy = new OutageCopy(resolved.outageCopyBytes);
    const renderer = new Renderer(resolved.engine, renderTimeoutMs, this.budget, emit);
    const settings = { buildId, compress: resolved.compress, now };
    const store = (this.store = new PageStore(renderer, this.access, settings, this.outageCopy, logger, emit));
    const fleetLock = new FleetLock(this.access, renderTimeoutMs);
    const backoff = new Backoff(resolved.retry, now);
    this.regenerator = new Regenerator(this.flights, backoff, fleetLock, store, this.requests, logger, emit);
    const { flights, requests, cacheControl } = this;
    this.responder = new RenderResponder({ flights, fleetLock, store, renderer, backoff, requests, cacheControl, logger });
    this.invalidateDeps = {
      token: resolved.token,
      limits: resolved.invalidateLimits,
      allowedQueryParams: this.keyRules.allowedQueryParams,
      isTracking: this.keyRules.isTracking,
      cache,
      logger,
      regenerate: (key) => this.regenerateForInvalidation(key),
      cacheError: (operation, error) => this.access.failed(operation, error),
    };
    if (resolved.token === undefined) {
      logger.warn(
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
      this.requests.rememberBaseUrl(req);
      const key = classifyRequest(req, this.keyRules);
      if (!key.cacheable) {
        return await this.responder.bypass(req, res, next, key.reason);
      }
      const entry = await this.cached(key.key);
      if (entry) {
        return this.writeCached(req, res, entry);
      }
      const knownUncacheable = this.store.knownUncacheable(key.key);
      if (knownUncacheable !== undefined) {
        return await this.responder.bypass(req, res, next, knownUncacheable, key.key);
      }
      await this.responder.miss(req, res, next, key.key);
    } catch (error) {
      next(error);
    }
  }

  /**
   * Cheap middleware for in front of `express.static`: answers cached pages (HIT, or STALE with
   * a background regeneration) and calls `next()` for everything else.
   */
  async serveFromCache(req: ISRRequest, res: ServerResponse, next: ISRNext): Promise<void> {
    this.requests.rememberBaseUrl(req);
    const key = classifyRequest(req, this.keyRules);
    if (!key.cacheable) {
      return next();
    }
    try {
      const entry = await this.cached(key.key);
      if (!entry) {
        return next();
      }
      this.writeCached(req, res, entry);
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
      await handleInvalidate(req, res, this.invalidateDeps);
    } catch (error) {
      // Never an unhandled rejection (Express 4 would not catch it); the token is not in `error`.
      this.logger.error(`invalidate failed: ${errorMessage(error)}`);
      if (!res.headersSent) {
        sendJsonError(res, 500, 'Invalidation failed on the server; see the server log.');
      }
    }
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

  /**
   * The tier's entry for `key` (remembered in the outage copy); while the tier fails, the copy's.
   * A page the tier never took is served from the copy and written back once the tier answers.
   */
  private async cached(key: string): Promise<CacheEntry | undefined> {
    const found = await this.access.lookup(key);
    if (!found.ok) {
      return this.outageCopy.get(key);
    }
    if (found.entry) {
      this.outageCopy.remember(found.entry);
      return found.entry;
    }
    const unstored = this.outageCopy.unstored(key);
    if (unstored) {
      this.outageCopy.restore(unstored, (entry) => this.cache.set(entry));
    }
    return unstored;
  }

  /** An invalidation counts as done only when the tier stored the page (not just the outage copy). */
  private async regenerateForInvalidation(key: string): Promise<{ entry?: CacheEntry; notStored?: string }> {
    const outcome = await this.regenerator.regenerate(key, 'invalidate', true);
    return outcome.notStored === undefined ? outcome : { notStored: outcome.notStored };
  }

  /**
   * HIT, or STALE (past `revalidate`, or its regenerations failing) starting one background
   * regeneration, unless the render budget is full (then the stale page is all there is).
   */
  private writeCached(req: ISRRequest, res: ServerResponse, entry: CacheEntry): void {
    const age = this.now() - entry.createdAt;
    const stale = (entry.revalidate > 0 && age >= entry.revalidate * 1000) || this.regenerator.isFailing(entry.key);
    if (stale && this.budget.hasRoomForBackground()) {
      this.regenerator.schedule(entry.key);
    }
    writeEntry(req, res, entry, stale ? 'STALE' : 'HIT', cacheControlHeader(this.cacheControl, entry.revalidate, stale));
  }
}
