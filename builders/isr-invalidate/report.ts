import { count, seconds } from '../utils/report';
import type { PurgeResult, TagFailure, Totals, UrlResult } from './results';

/** Column labels, padded so the paths line up. */
const LABELS: Record<UrlResult['status'], string> = {
  invalidated: 'invalidated ',
  notInCache: 'not in cache',
  removed: 'removed     ',
  stale: 'marked stale',
  failed: 'FAILED      ',
};

/** One report line for a URL, e.g. `  invalidated   /blog/hello`. */
export function formatUrlResult(result: UrlResult): string {
  const tag = result.byTag ? ' (by tag)' : '';
  const reason = result.status === 'failed' ? `: ${result.reason ?? 'unknown reason'}` : '';
  return `  ${LABELS[result.status]}  ${result.url}${tag}${reason}`;
}

/** One report line for a tag whose request failed. */
export function formatTagFailure(failure: TagFailure): string {
  return `  ${LABELS.failed}  tag "${failure.tag}": ${failure.reason}`;
}

/** Report lines for a batch's CDN purge: who purged (info), and one warning per failed purger. */
export function formatPurge(purge: PurgeResult): { info: string[]; warn: string[] } {
  return {
    info: purge.purged.length > 0 ? [`  CDN purged    ${purge.purged.join(', ')}`] : [],
    warn: Object.entries(purge.purgeFailed).map(([purger, reason]) => `  CDN purge FAILED at ${purger}: ${reason}`),
  };
}

/** The line printed before sending. */
export function formatStart(endpoint: URL, urls: number, tags: number, batches: number): string {
  const what = [count(urls, 'URL'), ...(tags > 0 ? [count(tags, 'tag')] : [])].join(' and ');
  return `Invalidating ${what} at ${endpoint.href}${batches > 1 ? ` in ${batches} requests` : ''}.`;
}

/** Progress after each batch of a multi-batch run. */
export function formatProgress(done: number, batches: number, sent: number, total: number): string {
  return `[${done}/${batches}] ${sent} of ${total} entries sent`;
}

/**
 * The closing summary, e.g. `3 URLs: 2 invalidated, 1 not in cache, 0 failed in 0.41 s.`; removed
 * and marked-stale counts appear when there are any.
 */
export function formatSummary(totals: Totals, elapsedMs: number, purgeFailures = 0): string {
  const all = totals.invalidated + totals.notInCache + totals.removed + totals.stale + totals.failed;
  const removed = totals.removed > 0 ? `, ${totals.removed} removed` : '';
  const stale = totals.stale > 0 ? `, ${totals.stale} marked stale` : '';
  const tagged = totals.byTag > 0 ? ` (${totals.byTag} through tags)` : '';
  const tagFailures = totals.tagFailures > 0 ? `, ${count(totals.tagFailures, 'tag')} failed` : '';
  const purge = purgeFailures > 0 ? `; the CDN purge failed for ${count(purgeFailures, 'request')}` : '';
  return (
    `${count(all, 'URL')}${tagged}: ${totals.invalidated} invalidated, ${totals.notInCache} not in cache${removed}${stale}, ` +
    `${totals.failed} failed${tagFailures}${purge} in ${seconds(elapsedMs)}.`
  );
}
