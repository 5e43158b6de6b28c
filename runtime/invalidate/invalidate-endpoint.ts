import type { ServerResponse } from 'node:http';
import type { CacheHandler } from '../cache/cache-handler.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import {
  isJsonContentType,
  isRejection,
  parseRawBody,
  validateInvalidateBody,
  type HostKeyRules,
  type InvalidateRejection,
} from './invalidate-body.js';
import { mapBounded } from '../utils/map-bounded.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import type { ISRRequest } from '../http/request-info.js';
import { sendJson } from '../http/send-json.js';
import { bearerToken, tokensMatch } from './token.js';

/** Body of a `200` answer of the invalidate endpoint. */
export interface InvalidateResult {
  /** URLs (and keys found through tags) whose page was regenerated and stored. */
  invalidated: string[];
  /** URLs with no cached page (nothing to do). */
  notInCache: string[];
  /** URL → reason, for pages that could not be regenerated (the last good page stays). */
  failed: Record<string, string>;
  /** CDN purgers that purged the pages (only with the `cdn.purgers` option). */
  purged?: string[];
  /** CDN purger → reason it failed (the pages were still invalidated here). */
  purgeFailed?: Record<string, string>;
}

/** What the endpoint needs from the handler. */
export interface InvalidateDeps {
  token: string | undefined;
  limits: { maxUrls: number; maxBodyBytes: number; concurrency: number };
  allowedQueryParams: ReadonlySet<string>;
  isTracking: (name: string) => boolean;
  /** With the `hostKeys` option: the allowed hosts (check) and the plain ones a bare path reaches. */
  hostKeys?: HostKeyRules;
  cache: CacheHandler;
  logger: ISRLogger;
  /** Regenerates a cached key; resolves with `entry` set when the new page was stored. */
  regenerate(key: string): Promise<{ entry?: unknown; notStored?: string }>;
  cacheError(operation: 'get' | 'keysByTag', error: unknown): void;
  /** After the regenerations: metrics and CDN purges; what it returns is merged into the answer. */
  afterInvalidate?(result: InvalidateResult, tags: readonly string[]): Promise<Partial<InvalidateResult> | undefined>;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** The parsed body: what a body parser left on `req.body`, else the raw body read here. */
async function bodyOf(req: ISRRequest, maxBytes: number): Promise<unknown | InvalidateRejection> {
  const parsed = req.body;
  if (Buffer.isBuffer(parsed)) {
    return parsed.length > maxBytes
      ? { ok: false, status: 413, error: `Request body is larger than ${maxBytes} bytes.` }
      : parseRawBody(parsed, req.headers['content-type']);
  }
  if (typeof parsed === 'string') {
    return parseRawBody(Buffer.from(parsed, 'utf8'), req.headers['content-type'] ?? 'application/json');
  }
  // Express 4's express.json() leaves `{}` for bodies it skipped (another content type); then the
  // stream is still unread and the endpoint parses it itself, so the type error is reported.
  const skippedByParser = isEmptyObject(parsed) && !isJsonContentType(req.headers['content-type']);
  if (parsed !== undefined && parsed !== null && !skippedByParser) {
    return parsed;
  }
  if (req.readableEnded) {
    return parseRawBody(Buffer.alloc(0), req.headers['content-type']);
  }
  try {
    return parseRawBody(await readBody(req, maxBytes), req.headers['content-type']);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { ok: false, status: 413, error: error.message };
    }
    return { ok: false, status: 400, error: 'Request body could not be read.' };
  }
}

/**
 * Runs the invalidate endpoint: 403 without a configured token, 400/413 for bad bodies, 401 for
 * a missing or wrong token (constant-time compare), else regenerates the named pages.
 * Nothing here logs or echoes the token.
 */
export async function handleInvalidate(req: ISRRequest, res: ServerResponse, deps: InvalidateDeps): Promise<void> {
  if (deps.token === undefined) {
    return sendJson(res, 403, { error: 'On-demand invalidation is disabled: no invalidateSecretToken is configured.' });
  }
  if (req.method !== undefined && req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { error: 'Use POST.' });
  }
  const body = await bodyOf(req, deps.limits.maxBodyBytes);
  if (isRejection(body)) {
    return sendJson(res, body.status, { error: body.error });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return sendJson(res, 400, { error: 'Request body must be a JSON object.' });
  }
  const bodyToken = (body as Record<string, unknown>)['token'];
  if (bodyToken !== undefined && typeof bodyToken !== 'string') {
    return sendJson(res, 400, { error: '"token" must be a string.' });
  }
  const presented = bearerToken(req.headers.authorization) ?? bodyToken;
  if (presented === undefined || presented === '') {
    return sendJson(res, 401, { error: 'Missing token: send "token" in the body or an Authorization: Bearer header.' });
  }
  if (!tokensMatch(presented, deps.token)) {
    return sendJson(res, 401, { error: 'Invalid token.' });
  }
  const request = validateInvalidateBody(body, {
    maxUrls: deps.limits.maxUrls,
    requestHost: req.headers.host,
    allowedQueryParams: deps.allowedQueryParams,
    isTracking: deps.isTracking,
    hostKeys: deps.hostKeys,
  });
  if (!request.ok) {
    return sendJson(res, request.status, { error: request.error });
  }

  const result: InvalidateResult = { invalidated: [], notInCache: [], failed: {} };
  // Key → labels (the URLs, or the key itself for tag hits, that named it); a key named twice
  // (two URL spellings, URL and tag) is regenerated once.
  const toRegenerate = new Map<string, string[]>();
  const addKey = (key: string, label: string): void => {
    const labels = toRegenerate.get(key);
    if (labels) {
      labels.push(label);
    } else {
      toRegenerate.set(key, [label]);
    }
  };
  for (const { url, key } of request.urls) {
    if (key === undefined) {
      result.notInCache.push(url);
      continue;
    }
    if (toRegenerate.has(key)) {
      toRegenerate.get(key)?.push(url);
      continue;
    }
    try {
      if ((await deps.cache.get(key)) === undefined) {
        result.notInCache.push(url);
      } else {
        addKey(key, url);
      }
    } catch (error) {
      deps.cacheError('get', error);
      result.failed[url] = `cache unavailable: ${errorMessage(error)}`;
    }
  }
  for (const tag of request.tags) {
    try {
      for (const key of await deps.cache.keysByTag(tag)) {
        if (!toRegenerate.has(key)) {
          addKey(key, key);
        }
      }
    } catch (error) {
      deps.cacheError('keysByTag', error);
      result.failed[`tag:${tag}`] = `cache unavailable: ${errorMessage(error)}`;
    }
  }

  const keys = [...toRegenerate.keys()];
  const outcomes = await mapBounded(keys, deps.limits.concurrency, async (key) => {
    try {
      const outcome = await deps.regenerate(key);
      return outcome.entry ? undefined : (outcome.notStored ?? 'not stored');
    } catch (error) {
      return errorMessage(error);
    }
  });
  keys.forEach((key, index) => {
    const failure = outcomes[index];
    for (const label of toRegenerate.get(key) ?? []) {
      if (failure === undefined) {
        result.invalidated.push(label);
      } else {
        result.failed[label] = failure;
      }
    }
  });
  Object.assign(result, await deps.afterInvalidate?.(result, request.tags));
  const failedCount = Object.keys(result.failed).length;
  deps.logger.info(`invalidate: ${result.invalidated.length} regenerated, ${result.notInCache.length} not in cache, ${failedCount} failed`);
  return sendJson(res, 200, result);
}
