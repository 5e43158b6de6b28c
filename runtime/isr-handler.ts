import type { ServerResponse } from 'node:http';
import type { CacheEntry, CacheHandler } from './cache/cache-handler.js';
import { malformedHostHeader } from './http/authority.js';
import { cacheControlHeader, type CacheControlOptions } from './http/cache-control.js';
import { CacheStatusValues } from './http/cache-status.js';
import { classifyRequest, type RequestKeyRules } from './http/classify.js';
import type { ISRNext, ISRRequest } from './http/request-info.js';
import { sendJsonError } from './http/send-json.js';
import { EntryWriter } from './http/entry-writer.js';
import { bodyParserRejection } from './invalidate/body-parser-errors.js';
import { handleInvalidate, type InvalidateDeps } from './invalidate/invalidate-endpoint.js';
import { revalidateFromServer } from './invalidate/server-revalidate.js';
import { configuredToken } from './invalidate/token.js';
import { TokenGuard } from './invalidate/token-guard.js';
import { resolveOptions, type ISRHandlerOptions } from './isr-handler-options.js';
import { Backoff } from './render/backoff.js';
import { CacheAccess } from './render/cache-access.js';
import { closeTimeout, settledWithin, type CloseOptions } from './render/close-within.js';
import { FleetLock } from './render/fleet-lock.js';
import { OutageCopy } from './render/outage-copy.js';
import { RenderBudget } from './render/render-budget.js';
import { Regenerator, type RegenerationOutcome } from './render/regeneration.js';
import { RenderRequests } from './render/render-requests.js';
import { Renderer } from './render/renderer.js';
import { RenderResponder } from './render/responder.js';
import { SingleFlight } from './render/single-flight.js';
import { PageStore, type RenderOutcome } from './render/store.js';
import { errorMessage, type ISRLogger } from './utils/logger.js';
import { cdnEntryHeaders } from './cdn/cdn-headers.js';
import { CdnPurge } from './cdn/cdn-purge.js';
import { ISRMetrics } from './metrics/isr-metrics.js';
import { ANSWER_EVENTS, type ISREmit } from './render/isr-events.js';
import type { InvalidateResult } from './invalidate/invalidation-run.js';
import { createFastPath, type CachedPage, type FastPathListener, type NodeRequestListener } from './fast-path/fast-path.js';

export type { RenderOutcome };

/** How much longer than a render an invalidation waits for another instance's render of the same page. */
const INVALIDATE_PEER_MARGIN_MS = 5_000;

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
  /** Counters and histograms of this handler: `snapshot()`, `registerPrometheus()`. */
  readonly metrics: ISRMetrics;
  /** Express handler answering the metrics in the Prometheus text format: `app.get('/metrics', isr.metricsHandler)`. */
  readonly metricsHandler: ISRMetrics['handler'];
  private readonly emit: ISREmit;
  private readonly purge: CdnPurge | undefined;
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
  private readonly cacheStatus: CacheStatusValues;
  /** Configuration warnings logged once, when the handler answers its first request. */
  private startupWarnings: string[] = [];
  private readonly budget: RenderBudget;
  private readonly outageCopy: OutageCopy;
  private readonly now: () => number;
  private readonly writer: EntryWriter;

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
    let metrics: ISRMetrics | undefined;
    const resolved = resolveOptions(options, (event) => metrics?.record(event));
    const { logger, emit, cache, buildId, renderTimeoutMs, now } = resolved;
    this.metrics = metrics = new ISRMetrics(cache);
    this.metricsHandler = this.metrics.handler;
    this.emit = emit;
    this.cache = cache;
    this.logger = logger;
    this.now = now;
    this.keyRules = resolved.keyRules;
    this.cacheControl = resolved.cacheControl;
    this.access = new CacheAccess(cache, buildId, logger, emit);
    this.requests = new RenderRequests(resolved.origin, resolved.keyRules.variants);
    this.writer = new EntryWriter(resolved.modifyCachedHtml, logger);
    this.startupWarnings.push(...resolved.warnings);
    const cacheStatus = (this.cacheStatus = new CacheStatusValues(resolved.cacheStatusDetail));
    this.budget = new RenderBudget(resolved.maxConcurrentRenders, resolved.maxQueuedRenders, renderTimeoutMs);
    this.outageCopy = new OutageCopy(resolved.outageCopyBytes);
    const renderer = new Renderer(resolved.engine, renderTimeoutMs, this.budget, emit);
    const entryHeaders = cdnEntryHeaders(options.cdn, logger);
    const { storeRules: rules, variantVary, modifyGeneratedHtml } = resolved;
    const settings = { buildId, compress: resolved.compress, entryHeaders, now, rules, variantVary, modifyGeneratedHtml };
    const store = (this.store = new PageStore(renderer, this.access, settings, this.outageCopy, logger, emit));
    const fleetLock = new FleetLock(this.access, renderTimeoutMs, resolved.fleetLockTtlMs);
    const backoff = new Backoff(resolved.retry, now);
    const peerWaitMs = renderTimeoutMs + INVALIDATE_PEER_MARGIN_MS;
    const { flights, requests, access } = this;
    const regenerator = new Regenerator(flights, backoff, fleetLock, store, requests, logger, emit, access, peerWaitMs);
    this.regenerator = regenerator;
    const { cacheControl, writer } = this;
    this.responder = new RenderResponder({
      writer,
      flights,
      fleetLock,
      store,
      renderer,
      backoff,
      requests,
      cacheControl,
      cacheStatus,
      logger,
      emit,
    });
    const purgers = options.cdn?.purgers;
    this.purge = purgers?.length ? new CdnPurge({ ...options.cdn, purgers }, this.keyRules, logger, emit) : undefined;
    this.invalidateDeps = {
      // Warned at the first request, not here: `ng build` runs server.ts to extract routes.
      token: configuredToken(resolved.token, { warn: (line) => this.startupWarnings.push(line) }),
      limits: resolved.invalidateLimits,
      guard: new TokenGuard({ maxFailures: resolved.maxFailedAttempts, logger, emit }),
      allowedQueryParams: this.keyRules.allowedQueryParams,
      isTracking: this.keyRules.isTracking,
      hostKeys: this.keyRules.hostKeys && { allowed: this.keyRules.hostKeys, hosts: resolved.keyHosts },
      access: this.access,
      logger,
      regenerate: (key) => this.regenerateForInvalidation(key),
      isRendering: (key) => regenerator.isRendering(key),
      settleRunning: () => regenerator.settleRunning(),
      cacheError: (operation, error) => this.access.failed(operation, error),
      afterInvalidate: (result, tags) => this.afterInvalidate(result, tags),
      variantKeys: resolved.keyRules.variants?.keysOf,
    };
    this.handle = this.handle.bind(this);
    this.serveFromCache = this.serveFromCache.bind(this);
    this.invalidate = this.invalidate.bind(this);
  }

  /**
   * Page middleware (the catch-all): answers from the cache, else renders once per key
   * (single flight), stores cacheable pages and writes the response with `x-isr-cache` and
   * `Cache-Status`. A `Host` or forwarded header that is no plain `host[:port]` gets a 400 before
   * any render. Calls `next()` when the engine has no page and `next(error)` when the render failed.
   */
  async handle(req: ISRRequest, res: ServerResponse, next: ISRNext): Promise<void> {
    this.flushStartupWarnings();
    try {
      const malformed = malformedHostHeader(req);
      if (malformed !== undefined) {
        this.logger.debug?.(`400 for a malformed ${malformed} header`);
        return sendJsonError(res, 400, `Bad request: the ${malformed} header is not a valid host[:port].`);
      }
      this.requests.rememberBaseUrl(req);
      const key = classifyRequest(req, this.keyRules);
      if (!key.cacheable) {
        return await this.responder.bypass(req, res, next, key.reason);
      }
      const found = await this.cached(key.key);
      if (found) {
        return this.writeCached(req, res, found.entry, found.stale);
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
    this.flushStartupWarnings();
    if (malformedHostHeader(req) !== undefined) {
      return next();
    }
    this.requests.rememberBaseUrl(req);
    const key = classifyRequest(req, this.keyRules);
    if (!key.cacheable) {
      return next();
    }
    try {
      const found = await this.cached(key.key);
      if (!found) {
        return next();
      }
      this.writeCached(req, res, found.entry, found.stale);
    } catch (error) {
      next(error);
    }
  }

  /**
   * The fast path below Express: a request listener that answers cached pages (HIT, or STALE
   * with a background regeneration) of cacheable GET/HEAD requests before `app`'s router runs,
   * synchronously when the tier holds an in-process copy, and hands every other request to
   * `app` (where `isr.handle` answers as always). Same keys, headers, events and rules as the
   * middleware: it runs the middleware's own steps.
   *
   * ```ts
   * const server = isr.fastPath(app).listen(port);            // instead of app.listen(port)
   * export const reqHandler = createNodeRequestHandler(isr.fastPath(app));
   * ```
   */
  fastPath(app: NodeRequestListener): FastPathListener {
    return createFastPath(app, {
      key: (req) => {
        this.flushStartupWarnings();
        if (malformedHostHeader(req) !== undefined) return undefined;
        const key = classifyRequest(req, this.keyRules);
        return key.cacheable ? key.key : undefined;
      },
      peek: (key) => {
        const found = this.access.peek(key);
        if (found === undefined) return undefined;
        if (!found.ok || found.entry === undefined) return null;
        this.outageCopy.remember(found.entry);
        return { entry: found.entry, stale: found.stale ?? false };
      },
      // While the tier fails, the middleware serves the outage copy (and reports the outage once).
      lookup: async (key) => (this.access.failing ? undefined : this.cached(key)),
      write: (req, res, page: CachedPage) => this.writeCached(req, res, page.entry, page.stale),
    });
  }

  /**
   * `POST /api/invalidate`: `{ token, urlsToInvalidate?, tags? }` (token also as
   * `Authorization: Bearer`). Regenerates the cached pages named and answers
   * `{ invalidated, notInCache, failed, removed, stale }`; 400/401/403/405/413/429 with `{ error }` otherwise.
   * Bound to this handler, so `isr.invalidate` can be passed to Express as it is.
   */
  async invalidate(req: ISRRequest, res: ServerResponse): Promise<void> {
    this.flushStartupWarnings();
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

  /**
   * Invalidates pages from server code (a webhook handler, a job): what `POST /api/invalidate`
   * does with `urlsToInvalidate`, without a token. Paths such as `/blog/a` (every spelling of a
   * page reaches its key; with `variants`, all its variants). Resolves with the endpoint's answer
   * `{ invalidated, notInCache, failed, removed, stale }`; throws a `TypeError` for input the
   * endpoint would answer 400.
   */
  revalidatePath(paths: string | readonly string[]): Promise<InvalidateResult> {
    return revalidateFromServer('revalidatePath', paths, this.invalidateDeps);
  }

  /** Invalidates every page carrying one of the tags (route `data.isrTags`), as `revalidatePath` does for paths. */
  revalidateTag(tags: string | readonly string[]): Promise<InvalidateResult> {
    return revalidateFromServer('revalidateTag', tags, this.invalidateDeps);
  }

  /** Settles once no render started by this handler is running (for tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.flights.size > 0) {
      await this.flights.settled();
    }
  }

  /**
   * Graceful shutdown: waits for running renders (background regenerations too; each releases its
   * fleet lock as it ends), then closes the cache tier (pending filesystem writes, connections,
   * timers). With `timeoutMs`, stops waiting for renders after that long, warns, and closes the tier
   * anyway: the fleet locks of renders cut off that way expire on their own.
   */
  async close(options?: CloseOptions): Promise<void> {
    const timeoutMs = closeTimeout(options);
    if (!(await settledWithin(this.idle(), timeoutMs))) {
      this.logger.warn(
        `close: ${this.flights.size} render(s) still running after ${timeoutMs} ms; closing the cache tier without waiting for them`,
      );
    }
    await this.cache.close?.();
  }

  /** Logs the configuration warnings once the server is really serving (never during route extraction). */
  private flushStartupWarnings(): void {
    if (this.startupWarnings.length > 0) {
      const lines = this.startupWarnings;
      this.startupWarnings = [];
      lines.forEach((line) => this.logger.warn(line));
    }
  }

  /** Counts the answer's lists (metrics) and purges the CDN of what was invalidated. */
  private async afterInvalidate(result: InvalidateResult, tags: readonly string[]): Promise<Partial<InvalidateResult> | undefined> {
    const counts: Record<string, number> = { failed: Object.keys(result.failed).length };
    for (const [list, value] of Object.entries(result)) {
      if (Array.isArray(value)) {
        counts[list] = value.length;
      }
    }
    this.emit({ type: 'invalidation', counts });
    if (this.purge === undefined) {
      return undefined;
    }
    // Every page that is now fresh, gone or absent here may still sit at the CDN; failed ones kept their old page.
    const urls = Object.entries(result).flatMap(([list, value]) => (Array.isArray(value) && list !== 'purged' ? (value as string[]) : []));
    return this.purge.purge(urls, tags);
  }

  /**
   * The tier's entry for `key` (remembered in the outage copy), and whether an invalidation marked
   * it stale; while the tier fails, the copy's. A page the tier never took is served from the copy
   * and written back once the tier answers.
   */
  private async cached(key: string): Promise<{ entry: CacheEntry; stale: boolean } | undefined> {
    const found = await this.access.lookup(key);
    if (!found.ok) {
      const copy = this.outageCopy.get(key);
      return copy && { entry: copy, stale: false };
    }
    if (found.entry) {
      this.outageCopy.remember(found.entry);
      return { entry: found.entry, stale: found.stale ?? false };
    }
    const unstored = this.outageCopy.unstored(key);
    if (unstored) {
      this.outageCopy.restore(unstored, (entry) => this.access.store(entry, this.access.clock.now()).then(() => undefined));
    }
    return unstored && { entry: unstored, stale: false };
  }

  /** An invalidation counts as done only when the tier stored the page (not just the outage copy). */
  private async regenerateForInvalidation(key: string): Promise<RegenerationOutcome> {
    const outcome = await this.regenerator.regenerate(key, 'invalidate', true);
    return outcome.notStored === undefined || outcome.removed !== undefined || outcome.markedStale !== undefined
      ? outcome
      : { ...outcome, entry: undefined };
  }

  /**
   * HIT, or STALE (past `revalidate`, marked stale by an invalidation, or failing) starting one
   * background regeneration, unless the render budget is full (then the stale page is all there is).
   */
  private writeCached(req: ISRRequest, res: ServerResponse, entry: CacheEntry, marked = false): void {
    const { revalidate } = entry;
    // Seconds of freshness left (negative once stale); `revalidate: 0` never expires on its own.
    const ttl = revalidate > 0 ? revalidate - (this.now() - entry.createdAt) / 1000 : Infinity;
    const stale = marked || ttl <= 0 || this.regenerator.isFailing(entry.key);
    if (stale && this.budget.hasRoomForBackground()) {
      this.regenerator.schedule(entry.key);
    }
    const status = stale
      ? this.cacheStatus.stale(Math.min(Math.floor(ttl), 0))
      : this.cacheStatus.hit(revalidate > 0 ? Math.ceil(ttl) : undefined);
    this.writer.write(req, res, entry, stale ? 'STALE' : 'HIT', cacheControlHeader(this.cacheControl, revalidate, ttl, stale), status);
    this.emit(stale ? ANSWER_EVENTS.STALE : ANSWER_EVENTS.HIT);
  }
}
