/**
 * One page, one key: the canonical spelling of a request path, or why the path has spellings that
 * Angular's router (or the WHATWG URL parser in front of it) could read as another page.
 *
 * Angular decodes each path segment with `decodeURIComponent`, so `/%70ublic`, `/publi%63` and
 * `/public` are one page: escapes are decoded and the segment is written again with one fixed
 * encoding (upper-case hex). Paths whose meaning changes with the spelling are answered (BYPASS)
 * but never stored: matrix parameters (`;`), auxiliary outlets (`(`, `)`), encoded slashes or
 * backslashes, dot segments (also `%2e`), empty segments (`//`), control characters, broken
 * escapes, and a trailing `/index.html` (Angular SSR strips it).
 */

/** A canonical path, or the reason the path is never stored. */
export type CanonicalPath = { ok: true; path: string } | { ok: false; reason: string };

/** Characters kept as they are in a canonical segment: unreserved, sub-delims except `;()`, `:`, `@`. */
const KEPT = /^[A-Za-z0-9\-._~!$&'*+,=:@]$/;

/** Every ASCII character a raw segment may hold (pchar without `;()`, plus `%` of escapes). */
const RAW_SEGMENT = /^[A-Za-z0-9\-._~!$&'*+,=:@%]*$/;

/**
 * The common case, already canonical: `/` or segments of kept characters that start with a letter
 * or digit (so no `.`/`..` segment, no escape, no trailing slash) and no trailing `/index.html`.
 */
const PLAIN_PATH = /^(?:\/|(?:\/[A-Za-z0-9][A-Za-z0-9\-._~!$&'*+,=:@]*)+)$(?<!\/index\.html)/;

/** Escape of one code unit as written in a canonical path. */
const ENCODED = new Map<string, string>();

function encodeChar(char: string): string {
  if (KEPT.test(char)) {
    return char;
  }
  let encoded = ENCODED.get(char);
  if (encoded === undefined) {
    encoded = encodeURIComponent(char).replace(/%[0-9a-f]{2}/g, (escape) => escape.toUpperCase());
    // `encodeURIComponent` leaves `()` and `'` alone; `()` must stay escaped (outlet syntax).
    encoded = encoded.replace(/[()]/g, (paren) => `%${paren.charCodeAt(0).toString(16).toUpperCase()}`);
    if (ENCODED.size < 256) {
      ENCODED.set(char, encoded);
    }
  }
  return encoded;
}

/** A segment decoded and written again in the one canonical encoding, or a reason. */
function canonicalSegment(raw: string): string | { reason: string } {
  if (!RAW_SEGMENT.test(raw)) {
    return { reason: /[;()]/.test(raw) ? 'matrix parameter or outlet in path' : 'unusual character in path' };
  }
  if (!raw.includes('%')) {
    return raw === '.' || raw === '..' ? { reason: 'dot segment in path' } : raw;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { reason: 'malformed percent-encoding in path' };
  }
  if (decoded === '.' || decoded === '..') {
    return { reason: 'dot segment in path' };
  }
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f\u007f]/.test(decoded)) {
    return { reason: 'encoded slash, backslash or control character in path' };
  }
  let out = '';
  for (const char of decoded) {
    out += encodeChar(char);
  }
  return out;
}

/**
 * The canonical form of `rawPath` (no query, no fragment): decoded, one encoding, no trailing
 * slash (`/` stays `/`). Fast path: a plain ASCII path without escapes is returned as it is.
 */
export function canonicalPath(rawPath: string): CanonicalPath {
  if (PLAIN_PATH.test(rawPath)) {
    return { ok: true, path: rawPath };
  }
  if (rawPath.charCodeAt(0) !== 47 /* / */) {
    return { ok: false, reason: 'path does not start with "/"' };
  }
  const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  if (trimmed === '/') {
    return { ok: true, path: '/' };
  }
  const segments = trimmed.slice(1).split('/');
  let path = '';
  for (const segment of segments) {
    if (segment === '') {
      return { ok: false, reason: 'empty segment in path (//)' };
    }
    const canonical = canonicalSegment(segment);
    if (typeof canonical !== 'string') {
      return { ok: false, reason: canonical.reason };
    }
    path += `/${canonical}`;
  }
  if (path.endsWith('/index.html')) {
    return { ok: false, reason: 'index.html in path' };
  }
  return { ok: true, path };
}
