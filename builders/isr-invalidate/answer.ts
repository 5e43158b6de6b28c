/** The `200` answer of the invalidate endpoint (docs/on-demand-revalidation.md). */
export interface InvalidateAnswer {
  invalidated: string[];
  notInCache: string[];
  /** URL → reason the server could not invalidate it. */
  failed: Record<string, string>;
  /** Pages that are gone (404/410, redirect, no longer cacheable): deleted from the cache. */
  removed: string[];
  /** Pages beyond the server's per-request limit: marked stale, regenerated on their next request. */
  stale: string[];
  /** CDN purgers that purged the batch's pages (servers with `cdn.purgers`). */
  purged?: string[];
  /** CDN purger → reason it failed. */
  purgeFailed?: Record<string, string>;
}

function isReasonMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((reason) => typeof reason === 'string')
  );
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Checks that a parsed JSON value has the contract's shape. `failed`, `removed` and `stale` may be
 * left out (none; servers older than those fields).
 * @returns the answer, or a short description of what is wrong with it.
 */
export function parseAnswer(value: unknown): InvalidateAnswer | { malformed: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { malformed: 'expected a JSON object' };
  }
  const record = value as Record<string, unknown>;
  if (!isStringArray(record['invalidated'])) {
    return { malformed: '"invalidated" is not a list of URLs' };
  }
  if (!isStringArray(record['notInCache'])) {
    return { malformed: '"notInCache" is not a list of URLs' };
  }
  const failed = record['failed'] ?? {};
  if (
    typeof failed !== 'object' ||
    failed === null ||
    Array.isArray(failed) ||
    !Object.values(failed).every((reason) => typeof reason === 'string')
  ) {
    return { malformed: '"failed" is not an object of URL → reason' };
  }
  const lists: Record<'removed' | 'stale', string[]> = { removed: [], stale: [] };
  for (const name of ['removed', 'stale'] as const) {
    const list = record[name] ?? [];
    if (!isStringArray(list)) {
      return { malformed: `"${name}" is not a list of URLs` };
    }
    lists[name] = list;
  }
  const answer: InvalidateAnswer = {
    ...lists,
    invalidated: record['invalidated'],
    notInCache: record['notInCache'],
    failed: failed as Record<string, string>,
  };
  // The CDN lists are optional extras: an older server leaves them out, and a malformed one is ignored.
  if (isStringArray(record['purged'])) answer.purged = record['purged'];
  if (isReasonMap(record['purgeFailed'])) answer.purgeFailed = record['purgeFailed'];
  return answer;
}
