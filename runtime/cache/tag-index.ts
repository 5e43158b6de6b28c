/** In-process tag → keys index, maintained by the tiers that keep their index in memory. */
export class TagIndex {
  private readonly byTag = new Map<string, Set<string>>();

  add(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  remove(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(tag);
    }
  }

  keys(tag: string): string[] {
    return [...(this.byTag.get(tag) ?? [])];
  }

  clear(): void {
    this.byTag.clear();
  }
}
