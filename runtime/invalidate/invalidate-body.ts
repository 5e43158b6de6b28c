import { cacheKeyFor, UNUSUAL_PATH } from '../http/cache-key.js';
import { hostKey } from '../http/classify.js';

/** A request the invalidate endpoint refuses: HTTP status and the `{ error }` message. */
export interface InvalidateRejection {
  ok: false;
  status: 400 | 413;
  error: string;
}

/** A well-formed invalidate request. */
export interface InvalidateRequest {
  ok: true;
  /** Token from the body (`token`), if any. */
  token?: string;
  /** URLs as sent, each with the cache key it names (`undefined` = never cacheable). */
  urls: Array<{ url: string; key: string | undefined }>;
  tags: string[];
}

export interface InvalidateLimits {
  /** Most entries accepted in `urlsToInvalidate` + `tags` together. */
  maxUrls: number;
  /** Host of the request, so an absolute URL naming this very host is accepted. */
  requestHost?: string;
  allowedQueryParams: ReadonlySet<string>;
  isTracking: (name: string) => boolean;
  /** With per-host keys: absolute URLs name one allowed host, paths every plain host on the list. */
  hostKeys?: HostKeyRules;
}

/** The `hostKeys` option as invalidation sees it. */
export interface HostKeyRules {
  allowed: (host: string) => boolean;
  /** Plain (non-wildcard) hosts of `allowedHosts`, lower-cased. */
  hosts: readonly string[];
}

const MAX_TAG_LENGTH = 256;
const MAX_URL_LENGTH = 2048;

function reject(status: 400 | 413, error: string): InvalidateRejection {
  return { ok: false, status, error };
}

/** True when the media type is JSON (`application/json`, `application/*+json`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) {
    return false;
  }
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Parses a raw body the endpoint read itself (nothing like `express.json()` ran before it).
 * Pure: the caller enforces the byte limit while reading.
 */
export function parseRawBody(raw: Buffer, contentType: string | undefined): unknown | InvalidateRejection {
  if (raw.length === 0) {
    return reject(400, 'Request body is empty; send JSON { "token", "urlsToInvalidate" and/or "tags" }.');
  }
  if (!isJsonContentType(contentType)) {
    return reject(400, 'Content-Type must be application/json.');
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return reject(400, 'Request body is not valid JSON.');
  }
}

/** True for values {@link parseRawBody} / {@link validateInvalidateBody} use to refuse a request. */
export function isRejection(value: unknown): value is InvalidateRejection {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<InvalidateRejection>).ok === false &&
    typeof (value as Partial<InvalidateRejection>).error === 'string'
  );
}

/**
 * Converts one `urlsToInvalidate` entry to a path: a path as is, or an absolute http(s) URL to
 * the request's own host. Returns an error message for anything else.
 */
function toPath(
  url: string,
  requestHost: string | undefined,
  hostKeys?: HostKeyRules,
): { path: string; host?: string } | { error: string } {
  if (url.length === 0 || url.length > MAX_URL_LENGTH) {
    return { error: `"${url.slice(0, 80)}" is not a path` };
  }
  if (url.startsWith('/') && !url.startsWith('//')) {
    return { path: url };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `"${url.slice(0, 80)}" is not a path (paths start with "/")` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { error: `"${url.slice(0, 80)}" is not an http(s) URL` };
  }
  // The raw path (WHATWG URL would resolve dot segments and hide them from the key check).
  const rest = url.slice(url.indexOf('//') + 2);
  const pathAt = rest.search(/[/?#]/);
  const path = pathAt === -1 || rest[pathAt] !== '/' ? `/${pathAt === -1 ? '' : rest.slice(pathAt)}` : rest.slice(pathAt);
  if (hostKeys !== undefined) {
    return hostKeys.allowed(parsed.host) ? { path, host: parsed.host } : { error: `"${url.slice(0, 80)}" is not on an allowed host` };
  }
  if (requestHost === undefined || parsed.host.toLowerCase() !== requestHost.toLowerCase()) {
    return { error: `"${url.slice(0, 80)}" points to another host; send paths such as "/blog/a"` };
  }
  return { path };
}

/**
 * Validates a parsed invalidate body: `{ token?, urlsToInvalidate?, tags? }` with at least one
 * list, string entries only, paths that stay paths, and at most `maxUrls` entries.
 */
export function validateInvalidateBody(body: unknown, limits: InvalidateLimits): InvalidateRequest | InvalidateRejection {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return reject(400, 'Request body must be a JSON object.');
  }
  const { token, urlsToInvalidate, tags } = body as Record<string, unknown>;
  if (token !== undefined && typeof token !== 'string') {
    return reject(400, '"token" must be a string.');
  }
  if (urlsToInvalidate === undefined && tags === undefined) {
    return reject(400, 'Send "urlsToInvalidate" and/or "tags" (arrays of strings).');
  }
  if (urlsToInvalidate !== undefined && !Array.isArray(urlsToInvalidate)) {
    return reject(400, '"urlsToInvalidate" must be an array of strings.');
  }
  if (tags !== undefined && !Array.isArray(tags)) {
    return reject(400, '"tags" must be an array of strings.');
  }
  const urlList = (urlsToInvalidate ?? []) as unknown[];
  const tagList = (tags ?? []) as unknown[];
  if (urlList.length === 0 && tagList.length === 0) {
    return reject(400, '"urlsToInvalidate" and "tags" are both empty.');
  }
  if (urlList.length + tagList.length > limits.maxUrls) {
    return reject(413, `At most ${limits.maxUrls} URLs and tags per request.`);
  }
  const urls: InvalidateRequest['urls'] = [];
  for (const entry of urlList) {
    if (typeof entry !== 'string') {
      return reject(400, '"urlsToInvalidate" must contain strings only.');
    }
    const target = toPath(entry, limits.requestHost, limits.hostKeys);
    if ('error' in target) {
      return reject(400, target.error);
    }
    // The same canonicaliser as page requests: every spelling of a page reaches its one key.
    const key = cacheKeyFor(target.path, limits.allowedQueryParams, limits.isTracking);
    if (!key.cacheable && key.reason.startsWith(UNUSUAL_PATH)) {
      return reject(400, `"${entry.slice(0, 80)}" is not a plain path (${key.reason.slice(UNUSUAL_PATH.length + 2)})`);
    }
    if (!key.cacheable || limits.hostKeys === undefined) {
      urls.push({ url: entry, key: key.cacheable ? key.key : undefined });
      continue;
    }
    const { allowed, hosts } = limits.hostKeys;
    for (const host of target.host !== undefined ? [target.host] : hosts) {
      const perHost = hostKey(host, key.key, allowed);
      urls.push({ url: entry, key: perHost.cacheable ? perHost.key : undefined });
    }
  }
  const tagNames: string[] = [];
  for (const tag of tagList) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
      return reject(400, `"tags" must contain non-empty strings of at most ${MAX_TAG_LENGTH} characters.`);
    }
    tagNames.push(tag);
  }
  return { ok: true, token: token as string | undefined, urls, tags: tagNames };
}
