import type { ServerResponse } from 'node:http';
import type { CacheEntry } from '../cache/cache-handler.js';
import { cacheControlHeader, type CacheControlOptions } from '../http/cache-control.js';
import type { CacheStatusValues } from '../http/cache-status.js';
import type { EntryWriter } from '../http/entry-writer.js';
import type { ISRRequest } from '../http/request-info.js';
import type { CacheAccess } from './cache-access.js';
import { ANSWER_EVENTS, type ISREmit } from './isr-events.js';
import type { OutageCopy } from './outage-copy.js';
import type { Regenerator } from './regeneration.js';
import type { RenderBudget } from './render-budget.js';

/** A page found in the cache and whether an invalidation marked it stale. */
export interface CachedPage {
  entry: CacheEntry;
  stale: boolean;
}

export interface CachedPagesDeps {
  access: CacheAccess;
  outageCopy: OutageCopy;
  regenerator: Regenerator;
  budget: RenderBudget;
  writer: EntryWriter;
  cacheStatus: CacheStatusValues;
  cacheControl: CacheControlOptions | false;
  emit: ISREmit;
  now: () => number;
}

/**
 * Pages answered from the cache, for the middleware and the fast path alike: finding them (the
 * tier, else the outage copy while it fails) and writing HIT or STALE.
 */
export class CachedPages {
  constructor(private readonly deps: CachedPagesDeps) {}

  /**
   * The tier's entry for `key` (remembered in the outage copy), and whether an invalidation marked
   * it stale; while the tier fails, the copy's. A page the tier never took is served from the copy
   * and written back once the tier answers.
   */
  async lookup(key: string): Promise<CachedPage | undefined> {
    const { access, outageCopy } = this.deps;
    const found = await access.lookup(key);
    if (!found.ok) {
      const copy = outageCopy.get(key);
      return copy && { entry: copy, stale: false };
    }
    if (found.entry) {
      outageCopy.remember(found.entry);
      return { entry: found.entry, stale: found.stale ?? false };
    }
    const unstored = outageCopy.unstored(key);
    if (unstored) {
      outageCopy.restore(unstored, (entry) => access.store(entry, access.clock.now()).then(() => undefined));
    }
    return unstored && { entry: unstored, stale: false };
  }

  /**
   * The page from the tier's in-process copy without I/O: `null` when it is certainly not cached
   * (or the tier fails: the middleware reports that), `undefined` when only {@link lookup} can tell.
   */
  peek(key: string): CachedPage | null | undefined {
    const found = this.deps.access.peek(key);
    if (found === undefined) {
      return undefined;
    }
    if (!found.ok || found.entry === undefined) {
      return null;
    }
    this.deps.outageCopy.remember(found.entry);
    return { entry: found.entry, stale: found.stale ?? false };
  }

  /**
   * HIT, or STALE (past `revalidate`, marked stale by an invalidation, or failing) starting one
   * background regeneration, unless the render budget is full (then the stale page is all there is).
   */
  write(req: ISRRequest, res: ServerResponse, { entry, stale: marked }: CachedPage): void {
    const { regenerator, budget, cacheStatus, writer, emit } = this.deps;
    const { revalidate } = entry;
    // Seconds of freshness left (negative once stale); `revalidate: 0` never expires on its own.
    const ttl = revalidate > 0 ? revalidate - (this.deps.now() - entry.createdAt) / 1000 : Infinity;
    const stale = marked || ttl <= 0 || regenerator.isFailing(entry.key);
    if (stale && budget.hasRoomForBackground()) {
      regenerator.schedule(entry.key);
    }
    const status = stale ? cacheStatus.stale(Math.min(Math.floor(ttl), 0)) : cacheStatus.hit(revalidate > 0 ? Math.ceil(ttl) : undefined);
    writer.write(req, res, entry, stale ? 'STALE' : 'HIT', cacheControlHeader(this.deps.cacheControl, revalidate, ttl, stale), status);
    emit(stale ? ANSWER_EVENTS.STALE : ANSWER_EVENTS.HIT);
  }
}
