import type { CacheEntry } from './cache-handler.js';

/** Bytes a kept entry's buffers may share with other data before they are copied out. */
const SLACK_BYTES = 1_024;

/**
 * The entry with buffers that own their memory. A small `Buffer` is often a view into a larger
 * allocation: Node's 8 KiB pool (`Buffer.from` of a short page), a socket chunk (a Redis reply),
 * a file read. Kept for hours in an in-process cache, the view pins the whole allocation, so a
 * cache "bounded" at 64 MiB of views held over 200 MiB. Entries kept in process go through here,
 * so what the byte bound counts is what the process holds.
 */
export function compactEntry(entry: CacheEntry): CacheEntry {
  const { body, variants = {} } = entry;
  const views = [body, variants.br, variants.gzip].filter((buffer): buffer is Buffer => buffer !== undefined);
  const backing = new Set(views.map((view) => view.buffer));
  let viewBytes = 0;
  let backingBytes = 0;
  for (const view of views) viewBytes += view.byteLength;
  for (const buffer of backing) backingBytes += buffer.byteLength;
  if (backingBytes <= viewBytes + SLACK_BYTES) return entry;
  const compacted: CacheEntry = { ...entry, body: ownCopy(body), variants: {} };
  if (variants.br) compacted.variants.br = ownCopy(variants.br);
  if (variants.gzip) compacted.variants.gzip = ownCopy(variants.gzip);
  return compacted;
}

/** A copy in an allocation of its own (never from the shared pool). */
function ownCopy(view: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(view.byteLength);
  view.copy(copy);
  return copy;
}
