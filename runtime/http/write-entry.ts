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

/** Headers the answer sets itself, never copied from the stored ones into the fixed part. */
const ANSWER_HEADERS = new Set(['etag', 'vary', 'cache-control', CACHE_STATUS_HEADER, CACHE_STATUS, 'content-encoding', 'content-length']);

/**
 * The response head of one variant of one entry, built on its first answer: the fixed headers as
 * a flat `[name, value, …]` array, and the whole head of the last answer, reused while the
 * per-answer values (status, `Cache-Control`, `Cache-Status`) stay the same, which they do for a
 * second at a time. A HIT then allocates nothing but the response itself.
 */
interface VariantHead {
  fixed: readonly string[];
  body: Buffer;
  lastStatus?: ISRCacheStatus;
  lastCacheControl?: string;
  lastCacheStatus?: string;
  last?: string[];
}

/** Heads per entry object (memory-tier entries are reused across hits): identity, br, gzip. */
const headsOf = new WeakMap<CacheEntry, Array<VariantHead | undefined>>();

function variantIndex(encoding: Encoding | undefined): number {
  return encoding === undefined ? 0 : encoding === 'br' ? 1 : 2;
}

/** `Vary` of the entry: the stored one plus `Accept-Encoding` when it has compressed variants. */
function entryVary(entry: CacheEntry): string | undefined {
  return varyForEntry(entry.headers['vary'], entry.variants.br !== undefined || entry.variants.gzip !== undefined);
}

function variantHead(entry: CacheEntry, encoding: Encoding | undefined): VariantHead {
  let heads = headsOf.get(entry);
  if (heads === undefined) {
    heads = [undefined, undefined, undefined];
    headsOf.set(entry, heads);
  }
  const index = variantIndex(encoding);
  let head = heads[index];
  if (head === undefined) {
    const body = encoding === undefined ? entry.body : (entry.variants[encoding] as Buffer);
    const fixed: string[] = [];
    for (const name of Object.keys(entry.headers)) {
      if (!ANSWER_HEADERS.has(name)) fixed.push(name, entry.headers[name]);
    }
    fixed.push('etag', variantEtag(entry.etag, encoding));
    // Covers the stored `Vary` too (it is part of the computed value).
    const vary = entryVary(entry);
    if (vary !== undefined) fixed.push('vary', vary);
    if (encoding !== undefined) fixed.push('content-encoding', encoding);
    fixed.push('content-length', String(body.length));
    head = heads[index] = { fixed, body };
  }
  return head;
}

/** The head for this answer's values: the last one when they did not change. */
function answerHead(head: VariantHead, status: ISRCacheStatus, cacheControl: string | undefined, cacheStatus: string): string[] {
  if (
    head.last !== undefined &&
    head.lastStatus === status &&
    head.lastCacheControl === cacheControl &&
    head.lastCacheStatus === cacheStatus
  ) {
    return head.last;
  }
  const headers = [...head.fixed, CACHE_STATUS_HEADER, status, CACHE_STATUS, cacheStatus];
  if (cacheControl !== undefined) headers.push('cache-control', cacheControl);
  head.lastStatus = status;
  head.lastCacheControl = cacheControl;
  head.lastCacheStatus = cacheStatus;
  head.last = headers;
  return headers;
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
  const stored = cacheControl ?? entry.headers['cache-control'];
  if (notModified(entry, req.headers['if-none-match'])) {
    return writeNotModified(res, entry, encoding, status, stored, cacheStatus);
  }
  const head = variantHead(entry, encoding);
  res.writeHead(entry.status, answerHead(head, status, stored, cacheStatus));
  res.end(req.method === 'HEAD' ? undefined : head.body);
}

/** `304`: the answer's headers without `Content-Type`, `Content-Encoding` and `Content-Length`. */
function writeNotModified(
  res: ServerResponse,
  entry: CacheEntry,
  encoding: Encoding | undefined,
  status: ISRCacheStatus,
  cacheControl: string | undefined,
  cacheStatus: string,
): void {
  const headers: OutgoingHttpHeaders = { ...entry.headers };
  delete headers['content-type'];
  headers['etag'] = variantEtag(entry.etag, encoding);
  headers[CACHE_STATUS_HEADER] = status;
  headers[CACHE_STATUS] = cacheStatus;
  if (cacheControl !== undefined) {
    headers['cache-control'] = cacheControl;
  }
  const vary = entryVary(entry);
  if (vary !== undefined) {
    headers['vary'] = vary;
  }
  res.writeHead(304, headers);
  res.end();
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
