import type { ISRLogger } from '../utils/logger.js';
import type { CdnCachePage, CdnOptions } from './cdn-options.js';
import { tagHeaderValue } from './tag-header.js';

/** Computes the CDN headers stored with a page; `undefined` when the `cdn` option adds none. */
export type CdnEntryHeaders = (key: string, tags: readonly string[], revalidate: number) => Record<string, string>;

/**
 * The headers the `cdn` option adds to each stored page, computed once when the page is stored
 * so that a HIT writes them as stored headers at no extra cost. Tags that do not fit the CDN's
 * limits are dropped; the first drop is logged once per handler.
 */
export function cdnEntryHeaders(options: CdnOptions | undefined, logger: ISRLogger): CdnEntryHeaders | undefined {
  const kind = options?.tagHeader;
  const cdnCacheControl = options?.cdnCacheControl;
  if (kind === undefined && cdnCacheControl === undefined) {
    return undefined;
  }
  const maxBytes = options?.maxTagHeaderBytes;
  if (maxBytes !== undefined && !(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new TypeError(`ISRHandler: cdn.maxTagHeaderBytes must be a positive number of bytes, got ${String(maxBytes)}`);
  }
  let warned = false;
  let warnedValue = false;
  const cdnCacheControlFor = (option: CdnOptions['cdnCacheControl'], page: CdnCachePage): string | undefined => {
    let value: string | undefined;
    try {
      value = typeof option === 'function' ? option(page) : option;
    } catch {
      value = '\n';
    }
    // A value Node refuses to write (a line break, a non-string) would break every answer of the page.
    if (value === undefined || (typeof value === 'string' && /^[\t\x20-\x7e]*$/.test(value))) {
      return value;
    }
    if (!warnedValue) {
      warnedValue = true;
      logger.warn(
        'cdn.cdnCacheControl gave no usable header value (it threw, or the value is not printable ASCII); pages are stored without CDN-Cache-Control (logged once)',
      );
    }
    return undefined;
  };
  return (key, tags, revalidate) => {
    const headers: Record<string, string> = {};
    if (kind !== undefined) {
      const { header, value, dropped } = tagHeaderValue(kind, key, tags, maxBytes);
      headers[header] = value;
      if (dropped.length > 0 && !warned) {
        warned = true;
        logger.warn(
          `CDN tag header: ${dropped.length} tag(s) of ${key} do not fit ${kind}'s limits and were left out ` +
            `(first: "${dropped[0].slice(0, 64)}"); shorten them or use fewer tags (logged once)`,
        );
      }
    }
    const value = cdnCacheControlFor(cdnCacheControl, { key, revalidate, tags });
    if (value !== undefined && value !== '') {
      headers['cdn-cache-control'] = value;
    }
    return headers;
  };
}
