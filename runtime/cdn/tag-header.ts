import { createHash } from 'node:crypto';

/** CDNs whose tag header ng-isr can write. */
export type CdnTagHeaderKind = 'cloudflare' | 'fastly' | 'akamai';

/** How one CDN reads its tag header, with the limits from its documentation. */
interface TagHeaderFormat {
  /** Response header name (lower case, as stored with the entry). */
  header: string;
  separator: string;
  /** Longest header value the CDN reads in full (bytes after the header name). */
  maxHeaderBytes: number;
  /** Longest single tag the CDN (or its purge API) accepts. */
  maxTagBytes: number;
  /** Most tags the CDN applies to one object. */
  maxTags: number;
  /** Characters a tag may consist of. */
  allowed: RegExp;
}

/**
 * Cloudflare: `Cache-Tag`, comma-separated, at most 16 KB after the header name (~1,000 tags);
 * tags without spaces or commas. Fastly: `Surrogate-Key`, space-separated, 16,384 bytes in all,
 * 1,024 bytes a key, printable ASCII. Akamai: `Edge-Cache-Tag`, up to 128 comma-delimited tags of
 * at most 128 characters from a restricted set.
 */
export const TAG_HEADER_FORMATS: Readonly<Record<CdnTagHeaderKind, TagHeaderFormat>> = {
  cloudflare: {
    header: 'cache-tag',
    separator: ',',
    maxHeaderBytes: 16_384,
    maxTagBytes: 1_024,
    maxTags: 1_000,
    allowed: /^[\x21-\x2b\x2d-\x7e]+$/,
  },
  fastly: {
    header: 'surrogate-key',
    separator: ' ',
    maxHeaderBytes: 16_384,
    maxTagBytes: 1_024,
    maxTags: Infinity,
    allowed: /^[\x21-\x7e]+$/,
  },
  akamai: {
    header: 'edge-cache-tag',
    separator: ',',
    maxHeaderBytes: 8_192,
    maxTags: 128,
    maxTagBytes: 128,
    allowed: /^[A-Za-z0-9!#$%'+./^_`|~-]+$/,
  },
};

/**
 * The tag ng-isr derives from a cache key (`isr-` + 16 hex digits of its SHA-256), written on
 * every stored page so that a purge by tag reaches every CDN copy of the page, whatever query
 * string or encoding the CDN keyed it under.
 */
export function cdnKeyTag(key: string): string {
  return `isr-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** Default cap of the tag header value: what proxies in front of the app accept by default. */
export const DEFAULT_MAX_TAG_HEADER_BYTES = 8192;

/** True when `tag` may appear in the CDN's header (and so be purged there). */
export function tagFits(kind: CdnTagHeaderKind, tag: string): boolean {
  const format = TAG_HEADER_FORMATS[kind];
  return tag.length <= format.maxTagBytes && format.allowed.test(tag);
}

/** A tag header value and the tags left out of it. */
export interface TagHeaderValue {
  header: string;
  value: string;
  dropped: string[];
}

/**
 * The CDN header for a page: the key tag first (so it always fits), then the route's tags in
 * order. Tags the CDN would refuse, and those past its count or length limit, are dropped
 * rather than sent truncated (a cut header would tag the page with half a tag).
 */
export function tagHeaderValue(
  kind: CdnTagHeaderKind,
  key: string,
  tags: readonly string[],
  maxBytes: number = DEFAULT_MAX_TAG_HEADER_BYTES,
): TagHeaderValue {
  const format = TAG_HEADER_FORMATS[kind];
  const limit = Math.min(maxBytes, format.maxHeaderBytes);
  const kept: string[] = [];
  const dropped: string[] = [];
  let bytes = 0;
  for (const tag of [cdnKeyTag(key), ...tags]) {
    if (kept.includes(tag)) {
      continue;
    }
    const added = Buffer.byteLength(tag) + (kept.length > 0 ? format.separator.length : 0);
    if (!tagFits(kind, tag) || kept.length >= format.maxTags || bytes + added > limit) {
      dropped.push(tag);
      continue;
    }
    kept.push(tag);
    bytes += added;
  }
  return { header: format.header, value: kept.join(format.separator), dropped };
}
