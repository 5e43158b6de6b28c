import type { Purger } from './purger.js';
import type { CdnTagHeaderKind } from './tag-header.js';

/** What a `cdnCacheControl` function is told about the page being stored. */
export interface CdnCachePage {
  /** The cache key (path + allowed query). */
  key: string;
  /** The route's `revalidate` in seconds (`0` = only on demand). */
  revalidate: number;
  /** The route's `isrTags`. */
  tags: readonly string[];
}

/** The `cdn` option of ISRHandler: tag headers for the CDN and purges after invalidations. */
export interface CdnOptions {
  /**
   * Writes the page's tags (the route's `isrTags` plus a tag derived from its cache key, see
   * `cdnKeyTag`) in this CDN's header and format: `Cache-Tag` (cloudflare), `Surrogate-Key`
   * (fastly) or `Edge-Cache-Tag` (akamai). Default: no tag header.
   */
  tagHeader?: CdnTagHeaderKind;
  /**
   * Longest tag header value written, in bytes (never more than the CDN reads). Default 8192:
   * proxies in front of the app (nginx's `proxy_buffer_size` is 4 or 8 KB) and Node's own HTTP
   * client (16 KB for all headers) refuse larger headers; raise it only when every hop allows it.
   */
  maxTagHeaderBytes?: number;
  /**
   * RFC 9213 `CDN-Cache-Control` stored with each page (the CDN's lifetime, while browsers follow
   * `Cache-Control`): a fixed value, or a function of the page (return `undefined` for none).
   */
  cdnCacheControl?: string | ((page: CdnCachePage) => string | undefined);
  /** Called after every successful invalidation with the pages' URLs and tags. */
  purgers?: readonly Purger[];
  /**
   * The site's public origin (`https://www.example.com`): purged URLs are absolute URLs on it.
   * Required when `purgers` is set.
   */
  publicOrigin?: string;
}
