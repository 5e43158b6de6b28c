/** Retry schedule after failed regenerations. */
export interface RetryOptions {
  /** Delay after the first failure. Default 5000 ms. */
  initialDelayMs?: number;
  /** Upper bound of the doubling delay. Default 300000 ms (5 min). */
  maxDelayMs?: number;
}

/** Most keys with a failure streak remembered at once. */
const MAX_TRACKED_KEYS = 10_000;

interface FailureState {
  failures: number;
  nextAttemptAt: number;
}

/**
 * Per-key failure streaks with exponential back-off, so that a failing page is retried at a
 * bounded rate instead of on every request.
 */
export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private readonly state = new Map<string, FailureState>();

  constructor(options: RetryOptions = {}) {
    this.initial = Math.max(0, options.initialDelayMs ?? 5_000);
    this.max = Math.max(this.initial, options.maxDelayMs ?? 300_000);
  }

  /** Records a failure; returns the streak length and the delay before the next attempt. */
  fail(key: string, now: number): { failures: number; retryInMs: number } {
    const failures = (this.state.get(key)?.failures ?? 0) + 1;
    const retryInMs = Math.min(this.max, this.initial * 2 ** Math.min(failures - 1, 30));
    this.state.delete(key);
    this.state.set(key, { failures, nextAttemptAt: now + retryInMs });
    if (this.state.size > MAX_TRACKED_KEYS) {
      // Forget the longest-failing key first (Map keeps insertion order) so memory stays bounded.
      this.state.delete(this.state.keys().next().value as string);
    }
    return { failures, retryInMs };
  }

  /** Ends a streak; returns how many failures it had. */
  succeed(key: string): number {
    const failures = this.state.get(key)?.failures ?? 0;
    this.state.delete(key);
    return failures;
  }

  /** True while `key` has a failure streak (its cached page is known to be outdated). */
  isFailing(key: string): boolean {
    return this.state.has(key);
  }

  /** True when no back-off delay holds `key` back. */
  mayAttempt(key: string, now: number): boolean {
    const entry = this.state.get(key);
    return entry === undefined || now >= entry.nextAttemptAt;
  }
}
