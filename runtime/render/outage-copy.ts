import { LRUCache } from 'lru-cache';
import type { CacheEntry } from '../cache/cache-handler.js';
import { entrySizeInBytes } from '../cache/memory-cache-handler.js';

/** Default `outageCopyBytes`: 16 MiB of pages kept in-process while the cache tier fails. */
export const DEFAULT_OUTAGE_COPY_BYTES = 16 * 1024 * 1024;

/** After a write-back the tier refused, no other is tried for this long (a full disk stays full a while). */
const RESTORE_PAUSE_MS = 5_000;

/**
 * The safety copy: pages rendered while the cache tier refused to store them, in a small LRU
 * bounded by bytes, served when the tier cannot answer. It keeps an outage from turning every
 * request into a render; `maxBytes: 0` switches it off.
 */
export class OutageCopy {
  private readonly entries: LRUCache<string, CacheEntry> | undefined;
  /** Keys being written back now (at most one write per key at a time). */
  private readonly restoring = new Set<string>();
  private pausedUntil = 0;

  constructor(maxBytes: number) {
    this.entries = maxBytes > 0 ? new LRUCache<string, CacheEntry>({ maxSize: maxBytes, sizeCalculation: entrySizeInBytes }) : undefined;
  }

  /** Pages held now. */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The copy of `key`, if one is kept. */
  get(key: string): CacheEntry | undefined {
    return this.entries?.get(key);
  }

  /** Keeps `entry` (a page larger than the whole bound is not kept). */
  keep(entry: CacheEntry): void {
    this.entries?.set(entry.key, entry);
  }

  /** Drops the copy of `key` (the tier holds the page again). */
  forget(key: string): void {
    if (this.entries !== undefined && this.entries.size > 0) {
      this.entries.delete(key);
    }
  }

  /**
   * Writes `entry` back to the tier that answers again, so the fleet shares it; the copy keeps
   * being served until the write succeeded, so a refused write costs no render.
   */
  restore(entry: CacheEntry, write: (entry: CacheEntry) => Promise<void>): void {
    const now = performance.now();
    if (this.restoring.has(entry.key) || now < this.pausedUntil) {
      return;
    }
    this.restoring.add(entry.key);
    write(entry)
      .then(
        () => {
          if (this.entries?.peek(entry.key) === entry) {
            this.entries.delete(entry.key);
          }
        },
        () => {
          this.pausedUntil = performance.now() + RESTORE_PAUSE_MS;
        },
      )
      .finally(() => this.restoring.delete(entry.key));
  }
}
