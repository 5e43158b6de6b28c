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

  /** Entries of another build are not served; entries tied to no build (imported prerendered pages) are. */
  private isCurrentBuild(entry: CacheEntry): boolean {
    return this.buildId === undefined || entry.buildId === undefined || entry.buildId === this.buildId;
  }
}
