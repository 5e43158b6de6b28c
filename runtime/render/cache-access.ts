import type { CacheEntry, CacheHandler } from '../cache/cache-handler.js';
import type { ISREmit } from './isr-events.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';

/** Cache operations whose failures are reported (`cache-error` events). */
export type CacheOperation = 'get' | 'set' | 'delete' | 'keysByTag' | 'lock';

/** A lookup: `ok: false` when the cache failed (then answer without it). */
export type CacheLookup = { ok: true; entry: CacheEntry | undefined } | { ok: false };

/**
 * The handler's way to the cache tier: the one guarded lookup (current-build entries only) and
 * outage tracking, so that an outage is logged once when it starts and once when it ends.
 */
export class CacheAccess {
  /** True between a cache failure and the next successful lookup. */
  private down = false;

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
   * The entry stored for `key` when it belongs to this build. A successful lookup ends an outage
   * unless `announceRecovery` is false (a peer's poll while waiting for the fleet lock).
   */
  async lookup(key: string, announceRecovery = true): Promise<CacheLookup> {
    let entry: CacheEntry | undefined;
    try {
      entry = await this.cache.get(key);
    } catch (error) {
      this.failed('get', error);
      return { ok: false };
    }
    if (announceRecovery) {
      this.answered();
    }
    return { ok: true, entry: entry && this.isCurrentBuild(entry) ? entry : undefined };
  }

  /** Logs the first cache failure of an outage (every failure is still an event). */
  failed(operation: CacheOperation, error: unknown): void {
    const message = errorMessage(error);
    if (!this.down) {
      this.down = true;
      this.logger.warn(`cache ${operation} failed (${message}); answering without the cache until it recovers`);
    }
    this.emit({ type: 'cache-error', operation, message });
  }

  /** Ends an outage started by {@link failed} once a lookup succeeds again. */
  private answered(): void {
    if (this.down) {
      this.down = false;
      this.logger.info('cache answers again');
    }
  }

  /** Entries of another build are not served; entries tied to no build (imported prerendered pages) are. */
  private isCurrentBuild(entry: CacheEntry): boolean {
    return this.buildId === undefined || entry.buildId === undefined || entry.buildId === this.buildId;
  }
}
