/** Retry schedule after failed regenerations and timed-out renders. */
export interface RetryOptions {
  /** Delay after the first failure. Default 5000 ms. */
  initialDelayMs?: number;
  /** Upper bound of the doubling delay. Default 300000 ms (5 min). */
  maxDelayMs?: number;
}

/** Bytes the failure streaks may hold (keys counted as UTF-16 plus a fixed per-entry cost). */
export const BACKOFF_MAX_BYTES = 1024 * 1024;

/** Allowance per remembered key for the map slot and the state object. */
const ENTRY_OVERHEAD_BYTES = 96;

interface FailureState {
  failures: number;
  nextAttemptAt: number;
  bytes: number;
}

/**
 * Per-key failure streaks with exponential back-off, so that a failing page is retried at a
 * bounded rate instead of on every request. Bounded by bytes (oldest streak forgotten first);
 * a streak idle for longer than the longest delay is forgotten too.
 */
export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private readonly state = new Map<string, FailureState>();
  private bytes = 0;

  constructor(
    options: RetryOptions = {},
    /** The clock (ms since epoch); injectable so tests need not wait. */
    private readonly now: () => number = Date.now,
    private readonly maxBytes = BACKOFF_MAX_BYTES,
  ) {
    this.initial = Math.max(0, options.initialDelayMs ?? 5_000);
    this.max = Math.max(this.initial, options.maxDelayMs ?? 300_000);
  }

  /** Keys with a failure streak remembered now. */
  get size(): number {
    return this.state.size;
  }

  /** Records a failure; returns the streak length and the delay before the next attempt. */
  fail(key: string, now = this.now()): { failures: number; retryInMs: number } {
    const failures = (this.state.get(key)?.failures ?? 0) + 1;
    const retryInMs = Math.min(this.max, this.initial * 2 ** Math.min(failures - 1, 30));
    this.forget(key);
    const bytes = ENTRY_OVERHEAD_BYTES + key.length * 2;
    this.state.set(key, { failures, nextAttemptAt: now + retryInMs, bytes });
    this.bytes += bytes;
    this.purge(now);
    return { failures, retryInMs };
  }

  /** Ends a streak; returns how many failures it had. */
  succeed(key: string): number {
    const failures = this.state.get(key)?.failures ?? 0;
    this.forget(key);
    return failures;
  }

  /** True while `key` has a failure streak (its cached page is known to be outdated). */
  isFailing(key: string): boolean {
    return this.state.has(key);
  }

  /** True when no back-off delay holds `key` back. */
  mayAttempt(key: string, now = this.now()): boolean {
    const entry = this.state.get(key);
    return entry === undefined || now >= entry.nextAttemptAt;
  }

  /** Milliseconds until `key` may be attempted again (0 when it may now). */
  retryInMs(key: string, now = this.now()): number {
    const entry = this.state.get(key);
    return entry === undefined ? 0 : Math.max(0, entry.nextAttemptAt - now);
  }

  /**
   * Drops the oldest streaks (Map keeps insertion order; `fail` re-inserts) while over the byte
   * bound or idle past the longest delay, so memory never depends on how many keys failed.
   */
  private purge(now: number): void {
    for (const [key, entry] of this.state) {
      if (this.bytes <= this.maxBytes && now < entry.nextAttemptAt + this.max) {
        return;
      }
      this.forget(key);
    }
  }

  private forget(key: string): void {
    const entry = this.state.get(key);
    if (entry !== undefined) {
      this.bytes -= entry.bytes;
      this.state.delete(key);
    }
  }
}
