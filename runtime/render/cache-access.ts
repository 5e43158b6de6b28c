import type { CacheEntry, CacheHandler } from '../cache/cache-handler.js';
import type { ISREmit } from './isr-events.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import { fromStored, keyTag, parseStorageKey, STALE_TAG, storageKey, toStored } from './entry-namespace.js';
import { InvalidationClock } from './invalidation-clock.js';

/** Cache operations whose failures are reported (`cache-error` events). */
export type CacheOperation = 'get' | 'set' | 'delete' | 'keysByTag' | 'lock';

/**
 * A lookup: `ok: false` when the cache failed (then answer without it). `stale` is set for an
 * entry marked for regeneration by an invalidation (serve it STALE and regenerate).
 */
export type CacheLookup = { ok: true; entry: CacheEntry | undefined; stale?: boolean } | { ok: false };

/** Where one stored entry of a page key lives, and how it relates to this build. */
export interface StoredCopy {
  storageKey: string;
  key: string;
  /** This build's own slot (what its renders replace). */
  current: boolean;
  /** This build may serve it (its own slot, or a plain key tied to this build or to none). */
  servable: boolean;
}

/**
 * The handler's way to the cache tier: entries namespaced by build id (builds sharing a tier keep
 * their own pages), the invalidation clock checked before every store, and outage tracking, so
 * that an outage is logged once when it starts and once when it ends.
 */
export class CacheAccess {
  /** Stamps of invalidations, checked before a render's result is stored. */
  readonly clock = new InvalidationClock();
  /** True between a cache failure and the next successful lookup. */
  private down = false;
  /**
   * True between a failed store and the next successful one: a tier that reads but takes no
   * writes (a full or read-only disk) is one outage, not one warning per page.
   */
  private writesDown = false;

  constructor(
    readonly cache: CacheHandler,
    private readonly buildId: string | undefined,
    private readonly logger: ISRLogger,
    private readonly emit: ISREmit,
  ) {}

  /** True while the tier fails (from a failure until the next successful lookup). */
  get failing(): boolean {
    return this.down;
  }

  /**
   * This build's entry for `key`, else an entry tied to no build stored under the plain key. A
   * successful lookup ends an outage unless `announceRecovery` is false (a peer's poll while
   * waiting for the fleet lock).
   */
  async lookup(key: string, announceRecovery = true): Promise<CacheLookup> {
    let stored: CacheEntry | undefined;
    try {
      stored = await this.cache.get(storageKey(key, this.buildId));
      if (stored === undefined && this.buildId !== undefined) {
        stored = await this.cache.get(key);
        if (stored?.buildId !== undefined && stored.buildId !== this.buildId) {
          // Stored under the plain key by another build (before namespacing): never served.
          stored = undefined;
        }
      }
    } catch (error) {
      this.failed('get', error);
      return { ok: false };
    }
    if (announceRecovery) {
      this.answered();
    }
    return stored === undefined ? { ok: true, entry: undefined } : { ok: true, ...fromStored(stored) };
  }

  /**
   * {@link lookup} answered synchronously from the tier's in-process copy (`CacheHandler.peek`),
   * or `undefined` when the tier cannot tell without I/O (then {@link lookup} it). Failures are
   * left to {@link lookup} too, so that an outage is reported by one path only.
   */
  peek(key: string): CacheLookup | undefined {
    const cache = this.cache;
    if (cache.peek === undefined || this.down) {
      return undefined;
    }
    let stored: CacheEntry | null | undefined;
    try {
      stored = cache.peek(storageKey(key, this.buildId));
      if (stored === null && this.buildId !== undefined) {
        stored = cache.peek(key);
        if (stored?.buildId !== undefined && stored.buildId !== this.buildId) {
          stored = null;
        }
      }
    } catch {
      return undefined;
    }
    if (stored === undefined) {
      return undefined;
    }
    return stored === null ? { ok: true, entry: undefined } : { ok: true, ...fromStored(stored) };
  }

  /**
   * Stores a page rendered from a render that started at clock stamp `since`. When its key or one
   * of its tags was invalidated meanwhile, it is stored marked stale (served once, then
   * regenerated), never as fresh. Resolves whether it was marked stale; rejects when the tier does.
   */
  async store(entry: CacheEntry, since: number): Promise<{ stale: boolean }> {
    const stale = this.clock.invalidatedSince(entry.key, entry.tags, since);
    await this.cache.set(toStored(entry, this.buildId, stale));
    return { stale };
  }

  /** Every stored copy of `key` (each build's, and the plain key's). */
  async copiesOf(key: string): Promise<StoredCopy[]> {
    const keys = new Set(await this.cache.keysByTag(keyTag(key)));
    if (!keys.has(key) && (await this.cache.get(key)) !== undefined) {
      keys.add(key);
    }
    return [...keys].map((stored) => this.copy(stored));
  }

  /** The stored copy behind a tier key (as `keysByTag` returns them). */
  copy(stored: string): StoredCopy {
    const { key, buildId } = parseStorageKey(stored);
    const current = stored === storageKey(key, this.buildId);
    return { storageKey: stored, key, current, servable: current || buildId === undefined };
  }

  /** Deletes this build's entry of `key` and the plain key's (a page that no longer exists). */
  async remove(key: string): Promise<void> {
    const own = storageKey(key, this.buildId);
    await Promise.all([this.cache.delete(own), own === key ? undefined : this.cache.delete(key)]);
  }

  /** Marks a stored entry stale in the tier (every instance then serves it STALE and regenerates it). */
  async markStale(stored: string): Promise<boolean> {
    const entry = await this.cache.get(stored);
    if (entry === undefined) {
      return false;
    }
    if (!entry.tags.includes(STALE_TAG)) {
      await this.cache.set({ ...entry, tags: [...entry.tags, STALE_TAG] });
    }
    return true;
  }

  /** Logs the first cache failure of an outage (every failure is still an event). */
  failed(operation: CacheOperation, error: unknown): void {
    const message = errorMessage(error);
    // A failed store during an outage the reads already reported adds no second line.
    const first = operation === 'set' ? !this.writesDown && !this.down : !this.down;
    if (first) {
      if (operation === 'set') this.writesDown = true;
      else this.down = true;
      this.logger.warn(`cache ${operation} failed (${message}); answering without the cache until it recovers`);
    }
    this.emit({ type: 'cache-error', operation, message });
  }

  /** A store succeeded: ends a write outage. */
  stored(): void {
    if (this.writesDown) {
      this.writesDown = false;
      this.logger.info('cache stores pages again');
    }
  }

  /** Ends an outage started by {@link failed} once a lookup succeeds again. */
  private answered(): void {
    if (this.down) {
      this.down = false;
      this.logger.info('cache answers again');
    }
  }
}
