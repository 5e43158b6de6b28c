import { LRUCache } from 'lru-cache';
import { createRenderContext, type ISRRenderReport } from '../angular/isr-render-context.js';
import type { CacheEntry } from '../cache/cache-handler.js';
import { buildEntry } from '../cache/entry-builder.js';
import type { RenderedPage } from '../engine/isr-engine.js';
import type { ISREmit, RenderCause } from './isr-events.js';
import type { ISRLogger } from '../utils/logger.js';
import type { CacheAccess } from './cache-access.js';
import type { OutageCopy } from './outage-copy.js';
import {
  CLIENT_SHELL_REASON,
  DEFAULT_STORE_RULES,
  isRouteReason,
  storedRevalidate,
  whyNotStorable,
  type StoreRules,
} from './cacheability.js';
import { applyGeneratedHook, hasHtml, type ModifyGeneratedHtml } from './html-hooks.js';
import { hostOf } from './render-requests.js';
import type { Renderer, RenderRequest } from './renderer.js';

/** Result of one render through the single flight. */
export interface RenderOutcome {
  /** `null` when the engine has no page for the URL. */
  page: RenderedPage | null;
  report: ISRRenderReport;
  /** The entry, when the page was cacheable and the cache (or, in an outage, the outage copy) kept it. */
  entry?: CacheEntry;
  /** Why the page was not stored (with `entry`: kept only in the in-process outage copy). */
  notStored?: string;
}

/** Keys whose route proved uncacheable are remembered this long, so their requests skip the single flight. */
const UNCACHEABLE_MEMORY_MS = 60_000;

/** Bytes the uncacheable memo may hold (keys as UTF-16 plus a fixed per-entry cost). */
export const UNCACHEABLE_MEMO_BYTES = 1024 * 1024;

/** Allowance per memo entry for the LRU node, its TTL slot and the shared reason string. */
const MEMO_ENTRY_OVERHEAD_BYTES = 128;

/** How stored entries are built (from the handler options). */
export interface StoreSettings {
  buildId: string | undefined;
  compress: boolean;
  /** Headers stored with each page on top of the engine's (the `cdn` option's tag header, CDN-Cache-Control). */
  entryHeaders?: (key: string, tags: readonly string[], revalidate: number) => Record<string, string>;
  /** The handler's clock (ms since epoch), for `createdAt`. */
  now: () => number;
  /** Opted-in statuses and the `Vary` fields variants cover (default: 200 only, `Accept-Encoding`). */
  rules?: StoreRules;
  /** `Vary` fields every stored page gets (the variant dimensions), e.g. `Cookie`. */
  variantVary?: string;
  /** Option `modifyGeneratedHtml`: edits a page before it is stored. */
  modifyGeneratedHtml?: ModifyGeneratedHtml;
}

/** Renders a key and stores the page when it may be shared (see `whyNotStorable`). */
export class PageStore {
  private readonly uncacheable = new LRUCache<string, string>({
    maxSize: UNCACHEABLE_MEMO_BYTES,
    sizeCalculation: (_reason, key) => MEMO_ENTRY_OVERHEAD_BYTES + key.length * 2,
    ttl: UNCACHEABLE_MEMORY_MS,
  });
  /** When expired memo entries were last swept (lru-cache drops them only when read or evicted). */
  private sweptAt = 0;
  /** The client-side-shell warning is logged once per handler. */
  private warnedShell = false;

  constructor(
    private readonly renderer: Renderer,
    private readonly access: CacheAccess,
    private readonly settings: StoreSettings,
    private readonly outageCopy: OutageCopy,
    private readonly logger: ISRLogger,
    private readonly emit: ISREmit,
  ) {}

  /** Entries in the uncacheable memo (for tests and metrics). */
  get knownUncacheableCount(): number {
    return this.uncacheable.size;
  }

  /** Why `key` is known not to be cacheable (its route has no revalidate), if it is. */
  knownUncacheable(key: string): string | undefined {
    return this.uncacheable.get(key);
  }

  /** Renders `key` and stores the page when it may be shared. */
  async renderAndStore(key: string, request: RenderRequest, cause: RenderCause): Promise<RenderOutcome> {
    const report = createRenderContext();
    if (request.variants !== undefined) {
      report.variants = request.variants;
    }
    // Taken before rendering: an invalidation during the render keeps its result from being stored as fresh.
    const since = this.access.clock.now();
    const page = await this.renderer.render(request, key, cause, report);
    if (page === null) {
      return { page, report, notStored: 'the engine has no page for this URL' };
    }
    const rules = this.settings.rules ?? DEFAULT_STORE_RULES;
    const reason = whyNotStorable(page, report, rules);
    if (reason !== undefined) {
      this.noteNotStorable(key, request, reason);
      this.emit({ type: 'skip-store', key, cause, reason });
      return { page, report, notStored: reason };
    }
    const tags = report.tags ?? [];
    const revalidate = storedRevalidate(page, report, rules);
    const { modifyGeneratedHtml, variantVary } = this.settings;
    // A throw here fails the render like an engine error: nothing stored, the last good page stays.
    const body =
      modifyGeneratedHtml && hasHtml(page.status)
        ? await applyGeneratedHook(modifyGeneratedHtml, page.body, {
            key,
            url: request.url,
            status: page.status,
            revalidate,
            tags,
            variants: report.variants,
          })
        : page.body;
    const extra = this.settings.entryHeaders?.(key, tags, revalidate);
    const headers = variantVary ? withVary(page.headers, variantVary) : page.headers;
    const entry = await buildEntry({
      key,
      status: page.status,
      headers: extra ? { ...headers, ...extra } : headers,
      body,
      revalidate,
      tags,
      buildId: this.settings.buildId,
      compress: this.settings.compress,
      now: this.settings.now(),
    });
    let stale: boolean;
    try {
      ({ stale } = await this.access.store(entry, since));
      this.access.stored();
    } catch (error) {
      // Kept in-process instead, so the outage does not turn every request into a render.
      this.access.failed('set', error);
      this.outageCopy.keep(entry);
      return { page, report, entry, notStored: 'cache unavailable' };
    }
    // While lookups fail the stored page cannot be read back: keep it at hand too.
    if (this.access.failing) {
      this.outageCopy.keep(entry);
    } else {
      this.outageCopy.remember(entry);
    }
    this.emit({ type: 'store', key, cause, revalidate: entry.revalidate, ...(stale ? { stale } : {}) });
    return { page, report, entry };
  }

  /**
   * Only a real 200 server render of the key's synthetic request proves how the route answers
   * (no revalidate, a cookie, private, Vary); error answers and the client-side shell never
   * switch caching off.
   */
  private noteNotStorable(key: string, request: RenderRequest, reason: string): void {
    if (isRouteReason(reason)) {
      this.sweepMemo();
      this.uncacheable.set(key, reason);
    } else if (reason === CLIENT_SHELL_REASON && !this.warnedShell) {
      this.warnedShell = true;
      this.logger.warn(
        `the engine answered ${key} with the client-side shell (host "${hostOf(request.url)}" is not in ` +
          'allowedHosts / NG_ALLOWED_HOSTS?); such answers are never cached',
      );
    }
  }

  /** Frees expired memo entries at most once per memo lifetime (a sweep walks every entry). */
  private sweepMemo(): void {
    const now = performance.now();
    if (now - this.sweptAt >= UNCACHEABLE_MEMORY_MS) {
      this.sweptAt = now;
      this.uncacheable.purgeStale();
    }
  }
}

/** The page headers with `fields` added to its `Vary` (a cache downstream must key on the variant too). */
function withVary(headers: RenderedPage['headers'], fields: string): RenderedPage['headers'] {
  const result: RenderedPage['headers'] = {};
  let vary: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'vary') {
      vary = Array.isArray(value) ? value.join(', ') : value;
    } else {
      result[name] = value;
    }
  }
  result['vary'] = vary === undefined || vary.trim() === '' ? fields : `${vary}, ${fields}`;
  return result;
}
