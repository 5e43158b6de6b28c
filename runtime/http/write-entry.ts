import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CacheEntry } from '../cache/cache-handler.js';
import { CACHE_STATUS } from './cache-status.js';
import { pickEncoding, type Encoding } from './encoding.js';
import { varyForEntry } from './vary.js';

/** Value of the `x-isr-cache` header. */
export type ISRCacheStatus = 'MISS' | 'HIT' | 'STALE' | 'BYPASS';

/** Name of the header every page response through the handler carries. */
export const CACHE_STATUS_HEADER = 'x-isr-cache';

/** ETag of the variant: the body's validator with a suffix for compressed bytes. */
function variantEtag(etag: string, encoding: Encoding | undefined): string {
  return encoding === undefined ? etag : `${etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"`;
}

/** True when `If-None-Match` names any variant of the entry (or `*`); only a 200 has a `304`. */
function notModified(entry: CacheEntry, ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined || entry.status !== 200) {
    return false;
  }
  // The body hash is shared by every variant's ETag, so one substring check covers them all.
  return ifNoneMatch.trim() === '*' || ifNoneMatch.includes(entry.etag.slice(1, -1));
}

/** `Vary` per entry object, computed on its first answer (memory-tier entries are reused across hits). */
const varyOf = new WeakMap<CacheEntry, string | null>();

function entryVary(entry: CacheEntry): string | undefined {
  let vary = varyOf.get(entry);
  if (vary === undefined) {
    vary = varyForEntry(entry.headers['vary'], entry.variants.br !== undefined || entry.variants.gzip !== undefined) ?? null;
    varyOf.set(entry, vary);
  }
  return vary ?? undefined;
}

/**
 * Writes a stored page as it is: chosen variant, ETag, `304` on `If-None-Match`, HEAD without
 * body, the stored `Vary` (plus `Accept-Encoding` with variants) and `Cache-Status`.
 * `cacheControl` replaces the stored header unless `undefined` (option off).
 */
export function writeEntry(
  req: IncomingMessage,
  res: ServerResponse,
  entry: CacheEntry,
  status: ISRCacheStatus,
  cacheControl: string | undefined,
  cacheStatus: string,
): void {
  const encoding = pickEncoding(entry.variants, req.headers['accept-encoding']);
  const headers: OutgoingHttpHeaders = { ...entry.headers };
  headers['etag'] = variantEtag(entry.etag, encoding);
  headers[CACHE_STATUS_HEADER] = status;
  headers[CACHE_STATUS] = cacheStatus;
  if (cacheControl !== undefined) {
    headers['cache-control'] = cacheControl;
  }
  // Covers the stored `Vary` too (it is part of the computed value), so nothing to delete.
  const vary = entryVary(entry);
  if (vary !== undefined) {
    headers['vary'] = vary;
  }
  if (notModified(entry, req.headers['if-none-match'])) {
    delete headers['content-type'];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = encoding === undefined ? entry.body : (entry.variants[encoding] as Buffer);
  if (encoding !== undefined) {
    headers['content-encoding'] = encoding;
  }
  headers['content-length'] = body.length;
  res.writeHead(entry.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Writes a page that was rendered for this request and not served from the cache. */
export function writeRendered(
  req: IncomingMessage,
  res: ServerResponse,
  page: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
  status: ISRCacheStatus,
  extraHeaders: OutgoingHttpHeaders = {},
): void {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(page.headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && lower !== 'content-length' && lower !== 'transfer-encoding') {
      headers[lower] = value;
    }
  }
  Object.assign(headers, extraHeaders);
  headers[CACHE_STATUS_HEADER] = status;
  headers['content-length'] = page.body.length;
  res.writeHead(page.status, headers);
  res.end(req.method === 'HEAD' ? undefined : page.body);
}
