import type { CacheHandler } from '../cache/cache-handler.js';
import type { AnswerStatus, ISREvent, RenderCause } from '../render/isr-events.js';

/** Upper bounds (seconds) of the render duration histogram's buckets. */
export const RENDER_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Render durations of one cause: `buckets[i]` counts renders of at most `RENDER_SECONDS_BUCKETS[i]` (cumulative). */
export interface RenderHistogram {
  count: number;
  sumSeconds: number;
  buckets: number[];
}

/** Plain numbers of {@link MetricCounters.snapshot}, for systems other than Prometheus. */
export interface ISRMetricsSnapshot {
  /** Page answers by `x-isr-cache`. */
  answers: Record<AnswerStatus, number>;
  /** Renders by cause, with their durations. */
  renders: Record<RenderCause, RenderHistogram>;
  /** Failed background (`regenerate`) and on-demand (`invalidate`) regenerations. */
  regenerationFailures: Record<'regenerate' | 'invalidate', number>;
  /** Cache tier failures by operation. */
  cacheErrors: Record<string, number>;
  /** Pages written to the cache, and rendered pages not stored. */
  stores: number;
  storeSkips: number;
  /** URLs (and tag hits) of `200` invalidate answers, by the list they ended in. */
  invalidations: Record<string, number>;
  /** Purger runs by purger name and outcome. */
  purges: Record<string, { ok: number; failed: number }>;
  /** What the cache tier holds, when it can tell (`stats()`); else undefined. */
  cache: { entries: number; bytes: number } | undefined;
}

const CAUSES: readonly RenderCause[] = ['miss', 'regenerate', 'invalidate', 'bypass'];

function histogram(): RenderHistogram {
  return { count: 0, sumSeconds: 0, buckets: RENDER_SECONDS_BUCKETS.map(() => 0) };
}

/**
 * Counters fed by the handler's own events. Every label set is fixed by the code or the
 * configuration (status, cause, operation, purger name): memory never grows with traffic. A HIT
 * costs one property increment.
 */
export class MetricCounters {
  private readonly answers: Record<AnswerStatus, number> = { HIT: 0, STALE: 0, MISS: 0, BYPASS: 0 };
  private readonly renders = Object.fromEntries(CAUSES.map((cause) => [cause, histogram()])) as Record<RenderCause, RenderHistogram>;
  private readonly regenerationFailures = { regenerate: 0, invalidate: 0 };
  private readonly cacheErrors: Record<string, number> = { get: 0, set: 0, delete: 0, keysByTag: 0, lock: 0 };
  private readonly invalidations: Record<string, number> = {};
  private readonly purges: Record<string, { ok: number; failed: number }> = {};
  private stores = 0;
  private storeSkips = 0;

  constructor(private readonly cache: CacheHandler) {}

  /** Counts one handler event (the handler calls it before the `onEvent` listener). */
  readonly record = (event: ISREvent): void => {
    switch (event.type) {
      case 'answer':
        this.answers[event.status]++;
        return;
      case 'render':
        this.observeRender(event.cause, event.durationMs / 1000);
        return;
      case 'store':
        this.stores++;
        return;
      case 'skip-store':
        this.storeSkips++;
        return;
      case 'regeneration':
        if (!event.ok) {
          this.regenerationFailures[event.cause]++;
        }
        return;
      case 'cache-error':
        this.cacheErrors[event.operation] = (this.cacheErrors[event.operation] ?? 0) + 1;
        return;
      case 'invalidation':
        for (const [outcome, count] of Object.entries(event.counts)) {
          this.invalidations[outcome] = (this.invalidations[outcome] ?? 0) + count;
        }
        return;
      case 'purge': {
        const counts = (this.purges[event.provider] ??= { ok: 0, failed: 0 });
        counts[event.ok ? 'ok' : 'failed']++;
        return;
      }
    }
  };

  /** The numbers so far (copies: safe to keep or change). */
  snapshot(): ISRMetricsSnapshot {
    const copy = <T>(value: T): T => structuredClone(value);
    return {
      answers: { ...this.answers },
      renders: copy(this.renders),
      regenerationFailures: { ...this.regenerationFailures },
      cacheErrors: { ...this.cacheErrors },
      stores: this.stores,
      storeSkips: this.storeSkips,
      invalidations: { ...this.invalidations },
      purges: copy(this.purges),
      cache: this.cacheStats(),
    };
  }

  /** Entries and bytes of the tier, when it implements `stats()` (a failing one reports nothing). */
  private cacheStats(): { entries: number; bytes: number } | undefined {
    try {
      return this.cache.stats?.();
    } catch {
      return undefined;
    }
  }

  private observeRender(cause: RenderCause, seconds: number): void {
    const histogram = this.renders[cause];
    histogram.count++;
    histogram.sumSeconds += seconds;
    for (let i = 0; i < RENDER_SECONDS_BUCKETS.length; i++) {
      if (seconds <= RENDER_SECONDS_BUCKETS[i]) {
        histogram.buckets[i]++;
      }
    }
  }
}
