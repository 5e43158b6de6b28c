import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './cache-handler.js';
import { compactEntry } from './compact-entry.js';
import { entrySizeInBytes } from './memory-cache-handler.js';

/** Options of the small in-process layer the filesystem and Redis tiers can keep in front. */
export interface MemoryLayerOptions {
  /** Upper bound of the layer in bytes (payload + metadata estimate). */
  maxBytes: number;
  /**
   * Drop a copy after this many ms even if nobody invalidated it: a safety net for tiers whose
   * invalidation messages can be lost (Redis pub/sub during a network split). Default: no limit.
   */
  maxAgeMs?: number;
}

/**
 * Hot entries kept in process so that a HIT needs no disk read or network round trip.
 * It is a read-through copy: the tier behind it stays the source of truth, and every write,
 * delete or invalidation of a key goes through {@link MemoryLayer.delete}/{@link MemoryLayer.set}.
 */
export class MemoryLayer {
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly maxAgeMs: number | undefined;

  constructor(options: MemoryLayerOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes <= 0) {
      throw new Error(`memoryLayer.maxBytes must be a positive number, got ${options.maxBytes}`);
    }
    this.maxAgeMs = options.maxAgeMs && options.maxAgeMs > 0 ? options.maxAgeMs : undefined;
    this.lru = new LRUCache<string, CacheEntry>({
      maxSize: options.maxBytes,
      sizeCalculation: entrySizeInBytes,
      ...(options.maxAgeMs && options.maxAgeMs > 0 ? { ttl: options.maxAgeMs } : {}),
    });
  }

  get(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  /**
   * Keeps `entry` (for at most `ttlMs` when given and > 0: a copy never outlives the tier's own
   * entry); an entry larger than the whole layer is simply not kept.
   */
  set(entry: CacheEntry, ttlMs?: number): void {
    if (entrySizeInBytes(entry) > this.lru.maxSize) {
      this.lru.delete(entry.key);
      return;
    }
    const ttl = ttlMs !== undefined && ttlMs > 0 ? Math.min(ttlMs, this.maxAgeMs ?? ttlMs) : undefined;
    this.lru.set(entry.key, compactEntry(entry), ttl === undefined ? undefined : { ttl });
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }
}

/** Builds the layer from the `memoryLayer` option: `false`/`undefined` disables it (tiers pass their default for `undefined`). */
export function createMemoryLayer(option: MemoryLayerOptions | false | undefined): MemoryLayer | undefined {
  return option ? new MemoryLayer(option) : undefined;
}
