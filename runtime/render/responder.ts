import type { ServerResponse } from 'node:http';
import type { RenderedPage } from '../engine/isr-engine.js';
import { CREDENTIALS_REASON } from '../http/classify.js';
import { cacheControlHeader, type CacheControlOptions } from '../http/cache-control.js';
import { CACHE_STATUS, type CacheStatusValues } from '../http/cache-status.js';
import { requestUrl, type ISRNext, type ISRRequest } from '../http/request-info.js';
import type { EntryWriter } from '../http/entry-writer.js';
import { CACHE_STATUS_HEADER, writeRendered, type ISRCacheStatus } from '../http/write-entry.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import { TimeoutError } from '../utils/timeout.js';
import type { Backoff } from './backoff.js';
import type { FleetLock } from './fleet-lock.js';
import { RenderBudgetExceeded } from './render-budget.js';
import type { Renderer } from './renderer.js';
import type { RenderRequests } from './render-requests.js';
import type { SingleFlight } from './single-flight.js';
import { ANSWER_EVENTS, type ISREmit } from './isr-events.js';
import type { PageStore, RenderOutcome } from './store.js';

/** What the responder needs from the handler. */
export interface ResponderDeps {
  /** Writes answers from stored entries (applies `modifyCachedHtml`). */
  writer: EntryWriter;
  flights: SingleFlight<RenderOutcome>;
  fleetLock: FleetLock;
  store: PageStore;
  renderer: Renderer;
  /** Keys whose last render timed out wait here before a visitor may start another. */
  backoff: Backoff;
  requests: RenderRequests;
  cacheControl: CacheControlOptions | false;
  cacheStatus: CacheStatusValues;
  logger: ISRLogger;
  /** Reports each answer (metrics). */
  emit?: ISREmit;
}

/** Answers the requests the cache could not: a MISS (rendered once per key, stored) or a BYPASS (plain SSR). */
export class RenderResponder {
  constructor(private readonly deps: ResponderDeps) {}

  /**
   * Renders a cold key once for every concurrent request, from the key's synthetic request (so
   * what is stored is what the key renders on the configured origin, whoever asked). A 200 page
   * that was not stored is rendered again for each visitor on its own (BYPASS): it may depend on
   * their headers or cookies. Other answers (404, errors) are shared by the flight. A key whose
   * render timed out (or still runs after its timeout) answers 503 at once until its back-off
   * ends, and so does a full render budget.
   */
  async miss(req: ISRRequest, res: ServerResponse, next: ISRNext, key: string): Promise<void> {
    const { flights, fleetLock, store, requests, cacheStatus, backoff, renderer } = this.deps;
    if (flights.get(key) === undefined && (!backoff.mayAttempt(key) || renderer.isRendering(key))) {
      return writeUnavailable(req, res, Math.max(1, Math.ceil(backoff.retryInMs(key) / 1000)));
    }
    const flight = flights.run(key, () => fleetLock.renderOnce(key, () => store.renderAndStore(key, requests.synthetic(key), 'miss')));
    let outcome: RenderOutcome;
    try {
      outcome = await flight.promise;
    } catch (error) {
      return this.failed(req, res, next, key, error, flight.started);
    }
    if (flight.started && outcome.entry) {
      backoff.succeed(key);
    }
    if (outcome.page === null) {
      return next();
    }
    const { entry } = outcome;
    if (entry) {
      const cacheControl = cacheControlHeader(this.deps.cacheControl, entry.revalidate, entry.revalidate, false);
      this.deps.writer.write(req, res, entry, 'MISS', cacheControl, cacheStatus.miss(outcome.notStored));
      this.deps.emit?.(ANSWER_EVENTS.MISS);
      return;
    }
    const notStored = outcome.notStored ?? 'not cacheable';
    if (outcome.page.status === 200) {
      return this.bypass(req, res, next, notStored, key, cacheStatus.miss(notStored));
    }
    writeRendered(req, res, outcome.page, 'BYPASS', { [CACHE_STATUS]: cacheStatus.miss(notStored) });
    this.deps.emit?.(ANSWER_EVENTS.BYPASS);
  }

  /** Plain SSR of the visitor's own request, for a request that must not touch the cache. */
  async bypass(req: ISRRequest, res: ServerResponse, next: ISRNext, reason: string, key?: string, status?: string): Promise<void> {
    let page: RenderedPage | null;
    try {
      page = await this.deps.renderer.render(this.deps.requests.visitor(req), key, 'bypass');
    } catch (error) {
      if (error instanceof RenderBudgetExceeded) {
        return writeUnavailable(req, res, error.retryAfterS);
      }
      this.deps.logger.error(`render of ${requestUrl(req).split('?', 1)[0]} failed: ${errorMessage(error)}`);
      return next(error);
    }
    if (page === null) {
      return next();
    }
    this.deps.logger.debug?.(`BYPASS ${requestUrl(req).split('?', 1)[0]}: ${reason}`);
    const personal = reason === CREDENTIALS_REASON && !hasHeader(page.headers, 'cache-control');
    const headers = { [CACHE_STATUS]: status ?? this.deps.cacheStatus.bypass(reason) };
    writeRendered(
      req,
      res,
      page,
      'BYPASS' satisfies ISRCacheStatus,
      personal ? { ...headers, 'cache-control': 'private, no-store' } : headers,
    );
    this.deps.emit?.(ANSWER_EVENTS.BYPASS);
  }

  /**
   * A failed MISS: a full budget answers 503 at once; a timeout backs the key off for visitors
   * (the leader records it once); other errors go to the app's error handler.
   */
  private failed(req: ISRRequest, res: ServerResponse, next: ISRNext, key: string, error: unknown, leader: boolean): void {
    if (error instanceof RenderBudgetExceeded) {
      return writeUnavailable(req, res, error.retryAfterS);
    }
    if (leader) {
      if (error instanceof TimeoutError) {
        this.deps.backoff.fail(key);
      }
      this.deps.logger.error(`render of ${key} failed: ${errorMessage(error)}`);
    }
    next(error);
  }
}

/** `503` with `Retry-After`: no render slot free, or the key's last render timed out. Never stored. */
function writeUnavailable(req: ISRRequest, res: ServerResponse, retryAfterS: number): void {
  const body = Buffer.from('Service temporarily unavailable: the page cannot be rendered right now. Retry shortly.\n');
  res.writeHead(503, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    'retry-after': String(retryAfterS),
    [CACHE_STATUS_HEADER]: 'BYPASS' satisfies ISRCacheStatus,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
