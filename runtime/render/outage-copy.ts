import { LRUCache } from 'lru-cache';
import type { CacheEntry } from '../cache/cache-handler.js';
import { entrySizeInBytes } from '../cache/memory-cache-handler.js';

/** Default `outageCopyBytes`: 16 MiB of pages kept in-process for when the cache tier fails. */
export const DEFAULT_OUTAGE_COPY_BYTES = 16 * 1024 * 1024;

/** After a write-back the tier refused, no other is tried for this long (a full disk stays full a while). */
const RESTORE_PAUSE_MS = 5_000;

interface Copy {
  entry: CacheEntry;
  /** True when the tier never took the page (its `set` failed): it is written back later. */
  unstored: boolean;
}

/**
 * The safety copy: a small LRU bounded by bytes of the pages served recently from the tier and of
 * pages the tier refused to store. Served while the tier cannot answer, so that an outage does not
 * turn every request into a render; `maxBytes: 0` switches it off.
 */
export class OutageCopy {
  private readonly copies: LRUCache<string, Copy> | undefined;
  /** Keys being written back now (at most one write per key at a time). */
  private readonly restoring = new Set<string>();
  private pausedUntil = 0;

  constructor(maxBytes: number) {
    this.copies =
      maxBytes > 0 ? new LRUCache<string, Copy>({ maxSize: maxBytes, sizeCalculation: (copy) => entrySizeInBytes(copy.entry) }) : undefined;
  }

  /** Pages held now. */
  get size(): number {
    return this.copies?.size ?? 0;
  }

  /** The copy of `key` for when the tier fails, if one is kept. */
  get(key: string): CacheEntry | undefined {
    return this.copies?.get(key)?.entry;
  }

  /**
   * What to serve when the tier answered that it has no page for `key`: only a page the tier
   * never took. A copy of a page the tier held is dropped (it was deleted or invalidated there).
   */
  unstored(key: string): CacheEntry | undefined {
    const copy = this.copies?.get(key);
    if (copy !== undefined && !copy.unstored) {
      this.copies?.delete(key);
      return undefined;
    }
    return copy?.entry;
  }

  /** Remembers a page the tier holds (served from it, or just stored). */
  remember(entry: CacheEntry): void {
    if (this.copies !== undefined && this.copies.peek(entry.key)?.entry !== entry) {
      this.copies.set(entry.key, { entry, unstored: false });
    }
  }

  /** Keeps a page the tier could not store (a page larger than the whole bound is not kept). */
  keep(entry: CacheEntry): void {
    this.copies?.set(entry.key, { entry, unstored: true });
  }

  /**
   * Writes an unstored page back to the tier that answers again, so the fleet shares it; the copy
   * keeps being served until the write succeeded, so a refused write costs no render.
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
          if (this.copies?.peek(entry.key)?.entry === entry) {
            this.copies.set(entry.key, { entry, unstored: false });
          }
        },
        () => {
          this.pausedUntil = performance.now() + RESTORE_PAUSE_MS;
        },
      )
      .finally(() => this.restoring.delete(entry.key));
  }
}
