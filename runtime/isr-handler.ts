import type { ServerResponse } from 'node:http';
import type { CacheHandler } from './cache/cache-handler.js';
import { malformedHostHeader } from './http/authority.js';
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
import type { InvalidateResult } from './invalidate/invalidation-run.js';
import { afterInvalidate } from './invalidate/after-invalidate.js';
import { CachedPages } from './render/cached-pages.js';
import { createFastPath, type FastPathListener, type NodeRequestListener } from './fast-path/fast-path.js';

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
  private readonly purge: CdnPurge | undefined;
  private readonly logger: ISRLogger;
  private readonly keyRules: RequestKeyRules;
  private readonly access: CacheAccess;
  private readonly requests: RenderRequests;
  private readonly flights = new SingleFlight<RenderOutcome>();
  private readonly store: PageStore;
  private readonly responder: RenderResponder;
  private readonly pages: CachedPages;
  private readonly invalidateDeps: InvalidateDeps;
  /** Configuration warnings logged once, when the handler answers its first request. */
  private startupWarnings: string[] = [];

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
    this.cache = cache;
    this.logger = logger;
    this.keyRules = resolved.keyRules;
    const { cacheControl } = resolved;
    const access = (this.access = new CacheAccess(cache, buildId, logger, emit));
    const requests = (this.requests = new RenderRequests(resolved.origin, resolved.keyRules.variants));
    const writer = new EntryWriter(resolved.modifyCachedHtml, logger);
    this.startupWarnings.push(...resolved.warnings);
    const cacheStatus = new CacheStatusValues(resolved.cacheStatusDetail);
    const budget = new RenderBudget(resolved.maxConcurrentRenders, resolved.maxQueuedRenders, renderTimeoutMs);
    const outageCopy = new OutageCopy(resolved.outageCopyBytes);
    const renderer = new Renderer(resolved.engine, renderTimeoutMs, budget, emit);
    const entryHeaders = cdnEntryHeaders(options.cdn, logger);
    const { storeRules: rules, variantVary, modifyGeneratedHtml } = resolved;
    const settings = { buildId, compress: resolved.compress, entryHeaders, now, rules, variantVary, modifyGeneratedHtml };
    const store = (this.store = new PageStore(renderer, access, settings, outageCopy, logger, emit));
    const fleetLock = new FleetLock(access, renderTimeoutMs, resolved.fleetLockTtlMs);
    const backoff = new Backoff(resolved.retry, now);
    const peerWaitMs = renderTimeoutMs + INVALIDATE_PEER_MARGIN_MS;
    const { flights } = this;
    const regenerator = new Regenerator(flights, backoff, fleetLock, store, requests, logger, emit, access, peerWaitMs);
    this.pages = new CachedPages({ access, outageCopy, regenerator, budget, writer, cacheStatus, cacheControl, emit, now });
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
      access,
      logger,
      regenerate: (key) => regenerateForInvalidation(regenerator, key),
      isRendering: (key) => regenerator.isRendering(key),
      settleRunning: () => regenerator.settleRunning(),
      cacheError: (operation, error) => access.failed(operation, error),
      afterInvalidate: (result, tags) => afterInvalidate(result, tags, emit, this.purge),
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
      const found = await this.pages.lookup(key.key);
      if (found) {
        return this.pages.write(req, res, found);
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
      const found = await this.pages.lookup(key.key);
      if (!found) {
        return next();
      }
      this.pages.write(req, res, found);
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
      peek: (key) => this.pages.peek(key),
      // While the tier fails, the middleware serves the outage copy (and reports the outage once).
      lookup: async (key) => (this.access.failing ? undefined : this.pages.lookup(key)),
      write: (req, res, page) => this.pages.write(req, res, page),
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
}

/** An invalidation counts as done only when the tier stored the page (not just the outage copy). */
async function regenerateForInvalidation(regenerator: Regenerator, key: string): Promise<RegenerationOutcome> {
  const outcome = await regenerator.regenerate(key, 'invalidate', true);
  return outcome.notStored === undefined || outcome.removed !== undefined || outcome.markedStale !== undefined
    ? outcome
    : { ...outcome, entry: undefined };
}
