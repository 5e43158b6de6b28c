import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheHandler } from './cache-handler.js';
import { compactEntry } from './compact-entry.js';
import { TagIndex } from './tag-index.js';

/** Default byte budget of {@link MemoryCacheHandler}: 64 MiB. */
export const DEFAULT_MEMORY_CACHE_BYTES = 64 * 1024 * 1024;

/** Fixed per-entry allowance for the object, its key in the maps and the metadata fields. */
const ENTRY_OVERHEAD_BYTES = 512;
/** Per tag of an entry: its slot in the entry's array and in the tag index's Set of keys. */
const TAG_MEMBERSHIP_BYTES = 64;

export interface MemoryCacheHandlerOptions {
  /**
   * Upper bound of the bytes held (bodies, compressed variants, headers, keys). The least
   * recently used pages are evicted beyond it; a single page larger than the bound is not stored.
   * Default {@link DEFAULT_MEMORY_CACHE_BYTES} (64 MiB).
   */
  maxBytes?: number;
}

/** Bytes an entry occupies, as counted against `maxBytes`. */
export function entrySizeInBytes(entry: CacheEntry): number {
  let size = ENTRY_OVERHEAD_BYTES + entry.body.length + Buffer.byteLength(entry.key) * 2 + entry.etag.length;
  size += (entry.variants?.br?.length ?? 0) + (entry.variants?.gzip?.length ?? 0);
  for (const [name, value] of Object.entries(entry.headers)) {
    size += name.length + value.length;
  }
  // The tag index lives as long as the entries it points at, so it is paid for from the same budget.
  for (const tag of entry.tags) {
    size += TAG_MEMBERSHIP_BYTES + tag.length * 2;
  }
  return size;
}

/**
 * In-process cache tier: an LRU bounded by bytes (`lru-cache`) plus a tag index. Lost on
 * restart and not shared between processes; use the filesystem or Redis tier for that.
 */
export class MemoryCacheHandler implements CacheHandler {
  /** The configured byte budget. */
  readonly maxBytes: number;
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly tagIndex = new TagIndex();

  constructor(options: MemoryCacheHandlerOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_MEMORY_CACHE_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new TypeError(`MemoryCacheHandler: maxBytes must be a positive integer, got ${String(options.maxBytes)}`);
    }
    this.maxBytes = maxBytes;
    this.entries = new LRUCache<string, CacheEntry>({
      maxSize: maxBytes,
      sizeCalculation: entrySizeInBytes,
      // Keeps the tag index in step with evictions, replacements and deletes.
      dispose: (entry, key) => this.tagIndex.remove(key, entry.tags),
    });
  }

  /** Bytes currently held, as counted against `maxBytes`. */
  get sizeInBytes(): number {
    return this.entries.calculatedSize;
  }

  /** Number of stored pages. */
  get size(): number {
    return this.entries.size;
  }

  /** Pages and bytes held (the `ng_isr_cache_entries` / `ng_isr_cache_bytes` gauges). */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.entries.get(key);
  }

  /** The whole tier is in process: a synchronous answer is always complete. */
  peek(key: string): CacheEntry | null {
    return this.entries.get(key) ?? null;
  }

  async set(stored: CacheEntry): Promise<void> {
    const entry = compactEntry(stored);
    this.entries.set(entry.key, entry);
    // lru-cache refuses entries larger than the whole budget; index only what it kept.
    if (this.entries.peek(entry.key) !== entry) {
      return;
    }
    this.tagIndex.add(entry.key, entry.tags);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  async keysByTag(tag: string): Promise<string[]> {
    return this.tagIndex.keys(tag);
  }

  async clear(): Promise<void> {
    this.entries.clear();
    this.tagIndex.clear();
  }
}
