import type { ServerResponse } from 'node:http';
import type { ISRLogger } from '../utils/logger.js';
import {
  isJsonContentType,
  isRejection,
  parseRawBody,
  validateInvalidateBody,
  type HostKeyRules,
  type InvalidateRejection,
  type InvalidateRequest,
} from './invalidate-body.js';
import { runInvalidation, type InvalidateResult, type InvalidationDeps } from './invalidation-run.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import type { ISRRequest } from '../http/request-info.js';
import { sendJson } from '../http/send-json.js';
import { bearerToken, tokensMatch } from './token.js';
import type { TokenGuard } from './token-guard.js';

/** What the endpoint needs from the handler. */
export interface InvalidateDeps extends InvalidationDeps {
  token: string | undefined;
  limits: InvalidationDeps['limits'] & { maxUrls: number; maxBodyBytes: number };
  /** Counts and limits failed token attempts per client. */
  guard: TokenGuard;
  allowedQueryParams: ReadonlySet<string>;
  isTracking: (name: string) => boolean;
  /** With the `hostKeys` option: the allowed hosts (check) and the plain ones a bare path reaches. */
  hostKeys?: HostKeyRules;
  logger: ISRLogger;
  /** After the regenerations: metrics and CDN purges; what it returns is merged into the answer. */
  afterInvalidate?(result: InvalidateResult, tags: readonly string[]): Promise<Partial<InvalidateResult> | undefined>;
}

/** The client a failed attempt is counted for: Express's `req.ip` (honours `trust proxy`), else the socket address. */
function clientOf(req: ISRRequest): string {
  const ip = (req as { ip?: unknown }).ip;
  return typeof ip === 'string' && ip !== '' ? ip : (req.socket?.remoteAddress ?? 'unknown');
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
 * Runs the invalidate endpoint: 403 without a configured token, 405 for other methods, 400/413 for
 * bad bodies, 429 for a client over its failed-token limit, 401 for a missing or wrong token
 * (constant-time compare), else invalidates the named pages (see {@link runInvalidation}).
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
  const client = clientOf(req);
  // Checked before the body and the token: a client over its limit learns nothing more, not even from the right token.
  const retryAfter = deps.guard.retryAfter(client);
  if (retryAfter !== undefined) {
    res.setHeader('retry-after', String(retryAfter));
    return sendJson(res, 429, { error: `Too many failed token attempts; retry in ${retryAfter} s.` });
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
    deps.guard.fail(client, 'missing');
    return sendJson(res, 401, { error: 'Missing token: send "token" in the body or an Authorization: Bearer header.' });
  }
  if (!tokensMatch(presented, deps.token)) {
    deps.guard.fail(client, 'invalid');
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

  return sendJson(res, 200, await invalidateAndReport(request, deps, 'invalidate'));
}

/** Runs a validated invalidation, then metrics and CDN purges, and logs its summary under `source`. */
export async function invalidateAndReport(request: InvalidateRequest, deps: InvalidateDeps, source: string): Promise<InvalidateResult> {
  const result: InvalidateResult = await runInvalidation(request, deps);
  Object.assign(result, await deps.afterInvalidate?.(result, request.tags));
  const failedCount = Object.keys(result.failed).length;
  deps.logger.info(
    `${source}: ${result.invalidated.length} regenerated, ${result.removed.length} removed, ${result.stale.length} marked stale, ` +
      `${result.notInCache.length} not in cache, ${failedCount} failed`,
  );
  return result;
}
