import type { CacheEntry } from './cache-handler.js';

/** Rough per-entry overhead of metadata and object headers, so tiny pages still count. */
const METADATA_OVERHEAD_BYTES = 512;

/** Bytes an entry occupies in memory: its payload buffers plus the key, headers and tags. */
export function entryByteSize(entry: CacheEntry): number {
  let size = METADATA_OVERHEAD_BYTES + entry.body.length + entry.key.length * 2 + entry.etag.length * 2;
  size += entry.variants.br?.length ?? 0;
  size += entry.variants.gzip?.length ?? 0;
  for (const [name, value] of Object.entries(entry.headers)) size += (name.length + value.length) * 2;
  for (const tag of entry.tags) size += tag.length * 2;
  return size;
}
