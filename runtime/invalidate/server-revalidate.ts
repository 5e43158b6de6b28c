import { validateInvalidateBody } from './invalidate-body.js';
import { invalidateAndReport, type InvalidateDeps } from './invalidate-endpoint.js';
import type { InvalidateResult } from './invalidation-run.js';

/** Which list a server-side call fills: `revalidatePath` names pages, `revalidateTag` tags. */
export type RevalidateKind = 'revalidatePath' | 'revalidateTag';

/**
 * Invalidation from code running in the server process (a webhook handler, a job): the same
 * validation, regeneration, CDN purge and answer as `POST /api/invalidate`, without a token (the
 * caller is the server itself) and without the endpoint's per-request count limit (that limit
 * guards a request body; `invalidate.maxRegenerations` still bounds the renders, the rest are
 * marked stale). Paths only (absolute URLs only with `hostKeys`). Throws a `TypeError` for bad input.
 */
export async function revalidateFromServer(kind: RevalidateKind, input: unknown, deps: InvalidateDeps): Promise<InvalidateResult> {
  const list = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || list.length === 0) {
    const what = kind === 'revalidatePath' ? 'a path or a non-empty array of paths' : 'a tag or a non-empty array of tags';
    throw new TypeError(`${kind}() needs ${what}.`);
  }
  const request = validateInvalidateBody(kind === 'revalidatePath' ? { urlsToInvalidate: list } : { tags: list }, {
    maxUrls: Number.POSITIVE_INFINITY,
    allowedQueryParams: deps.allowedQueryParams,
    isTracking: deps.isTracking,
    hostKeys: deps.hostKeys,
  });
  if (!request.ok) {
    throw new TypeError(`${kind}(): ${request.error.replace('"urlsToInvalidate"', 'the paths').replace('"tags"', 'the tags')}`);
  }
  return invalidateAndReport(request, deps, kind);
}
