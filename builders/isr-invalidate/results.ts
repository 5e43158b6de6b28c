import type { Batch } from './batches';
import type { BatchOutcome } from './send-batch';

/** What became of one URL. */
export interface UrlResult {
  url: string;
  /** `removed` (the page is gone, deleted) and `stale` (regenerated on its next request) were handled too. */
  status: 'invalidated' | 'notInCache' | 'removed' | 'stale' | 'failed';
  /** Why it failed (only for `failed`). */
  reason?: string;
  /** True for pages the server reported because of a tag rather than an explicit URL. */
  byTag: boolean;
}

/** A tag whose request failed as a whole. */
export interface TagFailure {
  tag: string;
  reason: string;
}

/** What the server's CDN purgers made of one batch (servers with `cdn.purgers`). */
export interface PurgeResult {
  purged: string[];
  /** Purger → reason. */
  purgeFailed: Record<string, string>;
}

/** The results of one batch. */
export interface BatchResult {
  urls: UrlResult[];
  tagFailures: TagFailure[];
  /** Absent when the server reports no CDN purge. */
  purge?: PurgeResult;
}

/** Totals over a whole run. */
export interface Totals {
  invalidated: number;
  notInCache: number;
  removed: number;
  stale: number;
  failed: number;
  /** Of the URLs handled (all but `failed`), how many came from tags. */
  byTag: number;
  tagFailures: number;
}

/**
 * Maps a batch's outcome onto its URLs and tags. A URL the server leaves out of its answer
 * counts as failed: success must be positive. URLs in the answer that were not asked for came
 * from tags and are reported as such.
 */
export function batchResult(batch: Batch, outcome: BatchOutcome): BatchResult {
  if (!outcome.ok) {
    return {
      urls: batch.urls.map((url) => ({ url, status: 'failed', reason: outcome.reason, byTag: false })),
      tagFailures: batch.tags.map((tag) => ({ tag, reason: outcome.reason })),
    };
  }
  const { invalidated, notInCache, failed, removed, stale } = outcome.value;
  const invalidatedSet = new Set(invalidated);
  const notInCacheSet = new Set(notInCache);
  const removedSet = new Set(removed);
  const staleSet = new Set(stale);
  const failedMap = new Map(Object.entries(failed));
  const statusOf = (url: string, byTag: boolean): UrlResult => {
    const failure = failedMap.get(url);
    if (failure !== undefined) return { url, status: 'failed', reason: `the server could not invalidate it: ${failure}`, byTag };
    if (invalidatedSet.has(url)) return { url, status: 'invalidated', byTag };
    if (notInCacheSet.has(url)) return { url, status: 'notInCache', byTag };
    if (removedSet.has(url)) return { url, status: 'removed', byTag };
    if (staleSet.has(url)) return { url, status: 'stale', byTag };
    return { url, status: 'failed', reason: "the server's answer does not mention this URL", byTag };
  };

  // ng-isr's runtime reports a tag it could not look up as `failed["tag:<name>"]`.
  const tagFailures: TagFailure[] = [];
  for (const tag of batch.tags) {
    const failure = failedMap.get(`tag:${tag}`);
    if (failure !== undefined && !batch.urls.includes(`tag:${tag}`)) {
      tagFailures.push({ tag, reason: `the server could not look it up: ${failure}` });
      failedMap.delete(`tag:${tag}`);
    }
  }
  const asked = new Set(batch.urls);
  const extra = [...new Set([...invalidated, ...notInCache, ...removed, ...stale, ...failedMap.keys()])].filter((url) => !asked.has(url));
  const result: BatchResult = {
    urls: [...batch.urls.map((url) => statusOf(url, false)), ...extra.map((url) => statusOf(url, true))],
    tagFailures,
  };
  const { purged, purgeFailed } = outcome.value;
  if (purged !== undefined || purgeFailed !== undefined) {
    result.purge = { purged: purged ?? [], purgeFailed: purgeFailed ?? {} };
  }
  return result;
}

/** Adds up the results of all batches. */
export function totalsOf(results: readonly BatchResult[]): Totals {
  const totals: Totals = { invalidated: 0, notInCache: 0, removed: 0, stale: 0, failed: 0, byTag: 0, tagFailures: 0 };
  for (const result of results) {
    for (const url of result.urls) {
      totals[url.status]++;
      if (url.byTag && url.status !== 'failed') totals.byTag++;
    }
    totals.tagFailures += result.tagFailures.length;
  }
  return totals;
}

/**
 * Batches whose CDN purge failed at one purger or more: reported, but not a failed run (the
 * pages were invalidated on the server; the CDN keeps its copies until they expire).
 */
export function purgeFailures(results: readonly BatchResult[]): number {
  return results.filter((result) => result.purge && Object.keys(result.purge.purgeFailed).length > 0).length;
}

/** The run succeeds only when every URL was handled (invalidated, not in cache, removed, marked stale) and no tag request failed. */
export function succeeded(totals: Totals): boolean {
  return totals.failed === 0 && totals.tagFailures === 0;
}
