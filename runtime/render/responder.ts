import type { ServerResponse } from 'node:http';
import type { RenderedPage } from '../engine/isr-engine.js';
import { CREDENTIALS_REASON } from '../http/classify.js';
import { cacheControlHeader, type CacheControlOptions } from '../http/cache-control.js';
import { requestUrl, type ISRNext, type ISRRequest } from '../http/request-info.js';
import { writeEntry, writeRendered, type ISRCacheStatus } from '../http/write-entry.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import type { FleetLock } from './fleet-lock.js';
import type { Renderer } from './renderer.js';
import type { RenderRequests } from './render-requests.js';
import type { SingleFlight } from './single-flight.js';
import { ANSWER_EVENTS, type ISREmit } from './isr-events.js';
import type { PageStore, RenderOutcome } from './store.js';

/** What the responder needs from the handler. */
export interface ResponderDeps {
  flights: SingleFlight<RenderOutcome>;
  fleetLock: FleetLock;
  store: PageStore;
  renderer: Renderer;
  requests: RenderRequests;
  cacheControl: CacheControlOptions | false;
  logger: ISRLogger;
  /** Reports each answer (metrics). */
  emit?: ISREmit;
}

/** Answers the requests the cache could not: a MISS (rendered once per key, stored) or a BYPASS (plain SSR). */
export class RenderResponder {
  constructor(private readonly deps: ResponderDeps) {}

  /** Renders a cold key once for every concurrent request; shares the page only when it was stored. */
  async miss(req: ISRRequest, res: ServerResponse, next: ISRNext, key: string): Promise<void> {
    const { flights, fleetLock, store, requests } = this.deps;
    const visitor = requests.visitor(req);
    const flight = flights.run(key, () => fleetLock.renderOnce(key, () => store.renderAndStore(key, visitor, 'miss')));
    let outcome: RenderOutcome;
    try {
      outcome = await flight.promise;
    } catch (error) {
      if (flight.started) {
        this.deps.logger.error(`render of ${key} failed: ${errorMessage(error)}`);
      }
      return next(error);
    }
    if (outcome.page === null) {
      return next();
    }
    if (outcome.entry) {
      if (flight.started) {
        requests.learnOrigin(visitor.url);
      }
      writeEntry(req, res, outcome.entry, 'MISS', cacheControlHeader(this.deps.cacheControl, outcome.entry.revalidate, false));
      this.deps.emit?.(ANSWER_EVENTS.MISS);
      return;
    }
    if (!flight.started) {
      // The leader's page may be personal (cookies, private): render this request on its own.
      return this.bypass(req, res, next, outcome.notStored ?? 'not cacheable', key);
    }
    writeRendered(req, res, outcome.page, 'BYPASS');
    this.deps.emit?.(ANSWER_EVENTS.BYPASS);
  }

  /** Plain SSR for a request that must not touch the cache. */
  async bypass(req: ISRRequest, res: ServerResponse, next: ISRNext, reason: string, key?: string): Promise<void> {
    let page: RenderedPage | null;
    try {
      page = await this.deps.renderer.render(this.deps.requests.visitor(req), key, 'bypass');
    } catch (error) {
      this.deps.logger.error(`render of ${requestUrl(req).split('?', 1)[0]} failed: ${errorMessage(error)}`);
      return next(error);
    }
    if (page === null) {
      return next();
    }
    this.deps.logger.debug?.(`BYPASS ${requestUrl(req).split('?', 1)[0]}: ${reason}`);
    const personal = reason === CREDENTIALS_REASON && !hasHeader(page.headers, 'cache-control');
    writeRendered(req, res, page, 'BYPASS' satisfies ISRCacheStatus, personal ? { 'cache-control': 'private, no-store' } : {});
    this.deps.emit?.(ANSWER_EVENTS.BYPASS);
  }
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
