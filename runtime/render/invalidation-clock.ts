import { LRUCache } from 'lru-cache';

/** Most keys and tags whose last invalidation is remembered; older ones fold into one floor stamp. */
const MAX_STAMPS = 10_000;

/**
 * Tells whether a key or tag was invalidated after a render started, so that the render's result
 * is never stored as fresh (invalidation wins over running renders). A global counter stamps each
 * invalidation; the stamps live in a bounded LRU, and a forgotten stamp is replaced by the highest
 * one ever forgotten (conservative: an old render may be marked stale once too often, never fresh
 * once too often).
 */
export class InvalidationClock {
  private epoch = 0;
  private floor = 0;
  private readonly stamps: LRUCache<string, number>;

  constructor(maxStamps = MAX_STAMPS) {
    this.stamps = new LRUCache<string, number>({
      max: maxStamps,
      dispose: (stamp, _name, reason) => {
        if (reason === 'evict') {
          this.floor = Math.max(this.floor, stamp);
        }
      },
    });
  }

  /** The current stamp; a render remembers it when it starts. */
  now(): number {
    return this.epoch;
  }

  /** Records an invalidation of page keys and tags. */
  invalidate(keys: readonly string[], tags: readonly string[]): void {
    const stamp = ++this.epoch;
    for (const key of keys) this.stamps.set(`k:${key}`, stamp);
    for (const tag of tags) this.stamps.set(`t:${tag}`, stamp);
  }

  /** True when `key` or one of `tags` was invalidated after `since` (a stamp from {@link now}). */
  invalidatedSince(key: string, tags: readonly string[], since: number): boolean {
    if (this.epoch <= since) {
      return false;
    }
    return this.stamp(`k:${key}`) > since || tags.some((tag) => this.stamp(`t:${tag}`) > since);
  }

  private stamp(name: string): number {
    return this.stamps.get(name) ?? this.floor;
  }
}
