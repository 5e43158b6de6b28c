import { TagIndex } from './tag-index.js';

/**
 * The filesystem tier's in-memory index: entry id ({@link keyId}, fixed size) → file size, in
 * least-recently-used-first order, plus tag → ids. It never holds a key string, so its cost per
 * entry is fixed (about 100 bytes, plus a Set slot per tag) however long the URLs are; keys are
 * read back from the files' headers when a tag is invalidated.
 */
export class FileIndex {
  /** id → bytes on disk; Map insertion order is the LRU order. */
  private readonly sizes = new Map<string, number>();
  /** id → its tags, only for entries that have any (one shared array per distinct tag list). */
  private readonly tagsOf = new Map<string, readonly string[]>();
  private readonly tags = new TagIndex();
  /** Distinct tag lists with their use counts, so identical lists share one array. */
  private readonly tagLists = new Map<string, { tags: readonly string[]; uses: number }>();
  private total = 0;

  /** Bytes of all indexed files. */
  get totalBytes(): number {
    return this.total;
  }

  /** Number of indexed entries. */
  get size(): number {
    return this.sizes.size;
  }

  /** Bytes on disk of `id`, or `undefined` when it is not indexed. */
  bytes(id: string): number | undefined {
    return this.sizes.get(id);
  }

  /** Indexes `id` (replacing a previous record) as the most recently used entry. */
  add(id: string, bytes: number, tags: readonly string[]): void {
    this.remove(id);
    this.sizes.set(id, bytes);
    this.total += bytes;
    if (tags.length > 0) {
      const shared = this.intern(tags);
      this.tagsOf.set(id, shared);
      this.tags.add(id, shared);
    }
  }

  /** Forgets `id`; `true` when it was indexed. */
  remove(id: string): boolean {
    const bytes = this.sizes.get(id);
    if (bytes === undefined) return false;
    this.sizes.delete(id);
    this.total -= bytes;
    const tags = this.tagsOf.get(id);
    if (tags) {
      this.tagsOf.delete(id);
      this.tags.remove(id, tags);
      this.release(tags);
    }
    return true;
  }

  /** Moves `id` to the most recently used end. */
  touch(id: string): void {
    const bytes = this.sizes.get(id);
    if (bytes === undefined) return;
    this.sizes.delete(id);
    this.sizes.set(id, bytes);
  }

  /** The least recently used id, or `undefined` when empty. */
  oldest(): string | undefined {
    return this.sizes.keys().next().value;
  }

  /** Ids of the entries that carry `tag`. */
  idsByTag(tag: string): string[] {
    return this.tags.keys(tag);
  }

  /** Every indexed id. */
  ids(): string[] {
    return [...this.sizes.keys()];
  }

  private intern(tags: readonly string[]): readonly string[] {
    const name = JSON.stringify(tags);
    let list = this.tagLists.get(name);
    if (!list) this.tagLists.set(name, (list = { tags: [...tags], uses: 0 }));
    list.uses++;
    return list.tags;
  }

  private release(tags: readonly string[]): void {
    const name = JSON.stringify(tags);
    const list = this.tagLists.get(name);
    if (list && --list.uses === 0) this.tagLists.delete(name);
  }
}
