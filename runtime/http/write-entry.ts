import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CacheEntry } from '../cache/cache-handler.js';

/** Value of the `x-isr-cache` header. */
export type ISRCacheStatus = 'MISS' | 'HIT' | 'STALE' | 'BYPASS';

/** Name of the header every page response through the handler carries. */
export const CACHE_STATUS_HEADER = 'x-isr-cache';

type Encoding = 'br' | 'gzip' | undefined;

/** Picks a stored variant from `Accept-Encoding` (substring checks only; no q-value parsing). */
function pickEncoding(entry: CacheEntry, acceptEncoding: string | undefined): Encoding {
  if (acceptEncoding === undefined) {
    return undefined;
  }
  if (entry.variants.br && acceptEncoding.includes('br') && !acceptEncoding.includes('br;q=0')) {
    return 'br';
  }
  if (entry.variants.gzip && acceptEncoding.includes('gzip') && !acceptEncoding.includes('gzip;q=0')) {
    return 'gzip';
  }
  return undefined;
}

/** ETag of the variant: the body's validator with a suffix for compressed bytes. */
function variantEtag(etag: string, encoding: Encoding): string {
  return encoding === undefined ? etag : `${etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"`;
}

/** True when `If-None-Match` names any variant of the entry (or `*`). */
function notModified(entry: CacheEntry, ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) {
    return false;
  }
  // The body hash is shared by every variant's ETag, so one substring check covers them all.
  return ifNoneMatch.trim() === '*' || ifNoneMatch.includes(entry.etag.slice(1, -1));
}

/**
 * Writes a stored page as it is: chosen variant, ETag, `304` on `If-None-Match`, HEAD without
 * body. `cacheControl` replaces the stored header unless `undefined` (option off).
 */
export function writeEntry(
  req: IncomingMessage,
  res: ServerResponse,
  entry: CacheEntry,
  status: ISRCacheStatus,
  cacheControl: string | undefined,
): void {
  const encoding = pickEncoding(entry, req.headers['accept-encoding']);
  const headers: OutgoingHttpHeaders = { ...entry.headers };
  headers['etag'] = variantEtag(entry.etag, encoding);
  headers[CACHE_STATUS_HEADER] = status;
  if (cacheControl !== undefined) {
    headers['cache-control'] = cacheControl;
  }
  if (entry.variants.br || entry.variants.gzip) {
    headers['vary'] = 'Accept-Encoding';
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
