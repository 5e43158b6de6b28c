import { fetchText } from '../utils/fetch-text';
import { networkFailureReason } from '../utils/network-reasons';
import { withRetries, type Attempt, type RetrySettings } from '../utils/retry';

/** The `x-isr-cache` values of the HTTP contract (DESIGN.md). */
export const CACHE_STATUSES = ['MISS', 'HIT', 'STALE', 'BYPASS'] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

/** A page that answered 2xx. */
export interface WarmedPage {
  status: number;
  /** The `x-isr-cache` header, or `undefined` when the answer carried none (not ng-isr's handler). */
  cache: string | undefined;
  /** Time of the successful attempt. */
  ms: number;
}

/** What became of one page. */
export type PageOutcome = { ok: true; page: WarmedPage; attempts: number } | { ok: false; reason: string; attempts: number };

/** Most bytes read of one page; the rest is dropped (the server renders and stores it anyway). */
const MAX_PAGE_BYTES = 20 * 1024 * 1024;

/** Settings of one page request. */
export interface PageSettings extends RetrySettings {
  timeoutMs: number;
}

/**
 * GETs a page like a first visitor without cookies would, reads its body, and reports its
 * status and `x-isr-cache`. Network errors, timeouts and 5xx answers are retried (a GET is safe
 * to repeat); redirects are not followed (they would leave the warmed origin or hide a problem)
 * and, like every other non-2xx answer, count as failures.
 */
export async function warmPage(url: URL, settings: PageSettings): Promise<PageOutcome> {
  const outcome = await withRetries(() => attemptOnce(url, settings), settings);
  return outcome.ok ? { ok: true, page: outcome.value, attempts: outcome.attempts } : outcome;
}

async function attemptOnce(url: URL, settings: PageSettings): Promise<Attempt<WarmedPage>> {
  const started = performance.now();
  let response: Response;
  try {
    ({ response } = await fetchText(
      url,
      { headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', 'user-agent': 'ng-isr-warm' }, redirect: 'manual' },
      { timeoutMs: settings.timeoutMs, maxBytes: MAX_PAGE_BYTES },
    ));
  } catch (error) {
    return { kind: 'retry', reason: networkFailureReason(error, { endpoint: url, timeoutMs: settings.timeoutMs }) };
  }
  const ms = Math.round(performance.now() - started);
  const answered = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status >= 200 && response.status < 300) {
    return { kind: 'done', value: { status: response.status, cache: response.headers.get('x-isr-cache') ?? undefined, ms } };
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    return {
      kind: 'fail',
      reason: `the server redirected (${answered})${location ? ` to ${location}` : ''}; warm the final address instead`,
    };
  }
  return { kind: response.status >= 500 ? 'retry' : 'fail', reason: `the server answered ${answered}` };
}
