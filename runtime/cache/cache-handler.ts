/**
 * One stored page. Entries are plain data (no functions, no class instances besides `Buffer`),
 * so that every tier can serialise them: memory keeps them as they are, the filesystem and Redis
 * tiers write the metadata as JSON next to the bytes.
 */
export interface CacheEntry {
  /** The cache key this entry is stored under (normalised path + allowed query). */
  key: string;
  /** HTTP status of the stored response; only `200` is stored by default. */
  status: number;
  /**
   * Response headers that belong to the page (lower-case names), e.g. `content-type`.
   * Hop-by-hop, `set-cookie`, `content-length` and `content-encoding` are never stored.
   */
  headers: Record<string, string>;
  /** The page bytes, uncompressed. */
  body: Buffer;
  /** Pre-compressed variants prepared once when the entry is stored. */
  variants: CacheEntryVariants;
  /** Strong validator of `body` (quoted, as sent in the `ETag` header). */
  etag: string;
  /** When the page was rendered (ms since epoch). Survives restarts so staleness stays right. */
  createdAt: number;
  /** Seconds after `createdAt` the entry turns stale; `0` = only on-demand invalidation. */
  revalidate: number;
  /** Tags from the route's `data.isrTags`; invalidating a tag invalidates the entry. */
  tags: string[];
  /** Build that rendered the entry; entries from another build are not served as HITs. */
  buildId?: string;
}

export interface CacheEntryVariants {
  br?: Buffer;
  gzip?: Buffer;
}

/**
 * Storage behind `ISRHandler`. All methods are async so that remote tiers (filesystem, Redis)
 * fit the same shape. Implementations must never throw for a missing key; they may reject on
 * infrastructure failure (the handler then renders without the cache and answers `BYPASS`).
 */
export interface CacheHandler {
  /** The entry stored under `key`, or `undefined`. */
  get(key: string): Promise<CacheEntry | undefined>;
  /**
   * Optional synchronous answer from an in-process copy, for the fast path (`isr.fastPath(app)`):
   * the entry, `null` when the tier knows for certain that nothing is stored under `key`, or
   * `undefined` when it cannot tell without I/O (the handler then awaits {@link get}). Must never
   * return an entry that {@link get} would not return at that moment.
   */
  peek?(key: string): CacheEntry | null | undefined;
  /** Stores (or replaces) `entry` under `entry.key`, updating the tag index. */
  set(entry: CacheEntry): Promise<void>;
  /** Removes `key`; resolves `true` when something was removed. */
  delete(key: string): Promise<boolean>;
  /** Keys of every entry that carries `tag`. */
  keysByTag(tag: string): Promise<string[]>;
  /** Removes every entry this handler owns. */
  clear(): Promise<void>;
  /**
   * Optional fleet-wide single flight: resolves `true` when this process may render `key`
   * (nobody else holds the lock). Tiers shared between processes (Redis) implement it;
   * in-process tiers leave it out and the handler's own single flight is enough.
   */
  acquireLock?(key: string, ttlMs: number): Promise<boolean>;
  /** Releases a lock taken with `acquireLock`. */
  releaseLock?(key: string): Promise<void>;
  /**
   * Extends a lock this process still holds to `ttlMs` from now; resolves `false` when the lock
   * is no longer ours (it expired and someone else took it). Called while the holder renders,
   * so that locks can be short and a crashed holder frees the key within one TTL.
   */
  renewLock?(key: string, ttlMs: number): Promise<boolean>;
  /** Releases connections, timers and file handles. */
  close?(): Promise<void>;
  /** What the tier holds now, if it can tell cheaply (metrics gauges). */
  stats?(): { entries: number; bytes: number };
}
