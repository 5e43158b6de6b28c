/** Result of one attempt: a value, a failure worth retrying, or a final failure. */
export type Attempt<T> =
  | { kind: 'done'; value: T }
  | {
      kind: 'retry' | 'fail';
      reason: string;
      /** The pause the server asked for (`Retry-After`), instead of the back-off delay. */
      delayMs?: number;
    };

/** What became of all attempts. */
export type RetryOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; reason: string; attempts: number };

/** How often and how patiently to retry. */
export interface RetrySettings {
  /** Retries after failures marked `retry` (0 = one attempt only). */
  retries: number;
  /** Pause before the first retry; doubled for each further one. Default 300 ms. */
  retryDelayMs?: number;
  /** Told before each retry (for the log). */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

export const DEFAULT_RETRY_DELAY_MS = 300;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Runs `attempt` until it is done, fails for good, or `retries` retries were spent, pausing with
 * exponential back-off (300 ms, 600 ms, … at most 5 s) between attempts. A final reason after
 * several attempts says so.
 */
export async function withRetries<T>(attempt: () => Promise<Attempt<T>>, settings: RetrySettings): Promise<RetryOutcome<T>> {
  const baseDelay = settings.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  for (let n = 1; ; n++) {
    const result = await attempt();
    if (result.kind === 'done') return { ok: true, value: result.value, attempts: n };
    if (result.kind === 'fail') return { ok: false, reason: result.reason, attempts: n };
    if (n > settings.retries) {
      const tries = n === 1 ? '' : ` (gave up after ${n} attempts)`;
      return { ok: false, reason: `${result.reason}${tries}`, attempts: n };
    }
    const delay = result.delayMs ?? Math.min(baseDelay * 2 ** (n - 1), MAX_RETRY_DELAY_MS);
    settings.onRetry?.(n, result.reason, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
