import type { CacheEntry } from '../cache/cache-handler.js';

/**
 * How a page key maps to what the tier stores, so that builds sharing one tier (a rolling deploy)
 * keep their own entries: `@<buildId>|<key>` (the build id URI-encoded, so the first `|` ends it).
 * Every namespaced entry carries the implicit tag {@link keyTag}, which lets an invalidation find the
 * entries of every build through the tier's own tag index. Entries without a build id keep the
 * plain key (imported prerendered pages, `buildId: false`).
 */

/** Prefix of the implicit per-key tag. */
const KEY_TAG_PREFIX = 'isr:key:';

/** Internal tag of an entry that must be regenerated on its next request (served STALE until then). */
export const STALE_TAG = 'isr:stale';

/** The tier key of `key` for `buildId`. */
export function storageKey(key: string, buildId: string | undefined): string {
  return buildId === undefined ? key : `@${encodeURIComponent(buildId)}|${key}`;
}

/** The implicit tag every stored entry of `key` carries, whatever its build. */
export function keyTag(key: string): string {
  return KEY_TAG_PREFIX + key;
}

/** Page key and build id of a tier key written by {@link storageKey}. */
export function parseStorageKey(stored: string): { key: string; buildId: string | undefined } {
  const bar = stored.startsWith('@') ? stored.indexOf('|') : -1;
  if (bar < 0) {
    return { key: stored, buildId: undefined };
  }
  try {
    return { key: stored.slice(bar + 1), buildId: decodeURIComponent(stored.slice(1, bar)) };
  } catch {
    return { key: stored, buildId: undefined };
  }
}

/** True for tags ng-isr adds itself (never shown to users, never sent to CDNs). */
function isInternalTag(tag: string): boolean {
  return tag === STALE_TAG || tag.startsWith(KEY_TAG_PREFIX);
}

/** The entry as the tier stores it: namespaced key, implicit key tag, and the stale mark if asked. */
export function toStored(entry: CacheEntry, buildId: string | undefined, stale: boolean): CacheEntry {
  const tags = entry.tags.filter((tag) => !isInternalTag(tag));
  if (buildId !== undefined) {
    // A plain key is found by itself; namespaced copies are found through this tag.
    tags.push(keyTag(entry.key));
  }
  if (stale) {
    tags.push(STALE_TAG);
  }
  return { ...entry, key: storageKey(entry.key, buildId), tags };
}

/** What {@link fromStored} made of each stored entry object (entries are never mutated). */
const seen = new WeakMap<CacheEntry, { entry: CacheEntry; stale: boolean }>();

/**
 * The entry as the handler sees it (page key, user tags) and whether it was marked stale. The
 * same stored object (an in-process tier's, reused across hits) always gives the same entry
 * object, so what is computed once per entry (its response headers) is found again.
 */
export function fromStored(stored: CacheEntry): { entry: CacheEntry; stale: boolean } {
  let found = seen.get(stored);
  if (found === undefined) {
    found =
      !stored.tags.some(isInternalTag) && !stored.key.startsWith('@')
        ? { entry: stored, stale: false }
        : {
            entry: { ...stored, key: parseStorageKey(stored.key).key, tags: stored.tags.filter((tag) => !isInternalTag(tag)) },
            stale: stored.tags.includes(STALE_TAG),
          };
    seen.set(stored, found);
  }
  return found;
}
