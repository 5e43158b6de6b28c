/** Why a render ran. */
export type RenderCause = 'miss' | 'bypass' | 'regenerate' | 'invalidate';

/**
 * Observable steps of the handler, delivered to the `onEvent` option (synchronously, after the
 * step finished). Meant for metrics and for tests that wait for a background regeneration
 * instead of sleeping. A throwing listener is ignored.
 */
export type ISREvent =
  /** The engine finished a render (`key` is undefined for uncacheable requests). */
  | { type: 'render'; key: string | undefined; cause: RenderCause; status: number | null; durationMs: number }
  /** A rendered page was written to the cache; `stale` when an invalidation came during its render. */
  | { type: 'store'; key: string; cause: RenderCause; revalidate: number; stale?: true }
  /** A regeneration found the page gone (404/410, a redirect, no longer cacheable) and deleted it. */
  | { type: 'remove'; key: string; cause: 'regenerate' | 'invalidate'; reason: string }
  /** The invalidate endpoint refused a token (`limited`: the client is over its failed-attempt limit). */
  | { type: 'invalidate-denied'; client: string; reason: 'missing' | 'invalid' | 'limited' }
  /** A rendered page was not stored, with the reason (e.g. `route has no revalidate`). */
  | { type: 'skip-store'; key: string; cause: RenderCause; reason: string }
  /** A background or on-demand regeneration finished; on failure the last good page stays. */
  | { type: 'regeneration'; key: string; cause: 'regenerate' | 'invalidate'; ok: true }
  | {
      type: 'regeneration';
      key: string;
      cause: 'regenerate' | 'invalidate';
      ok: false;
      reason: string;
      /** Consecutive failures of this key, including this one. */
      failures: number;
      /** Delay before the next attempt may start. */
      retryInMs: number;
    }
  /** The CacheHandler rejected; the request was answered without the cache. */
  | { type: 'cache-error'; operation: 'get' | 'set' | 'delete' | 'keysByTag' | 'lock'; message: string }
  /** A page answer was written (one shared object per status: no allocation on the HIT path). */
  | AnswerEvent
  /** The invalidate endpoint answered 200: how many URLs (and tag hits) ended in each list. */
  | { type: 'invalidation'; counts: Readonly<Record<string, number>> }
  /** A CDN purger finished (after an invalidation); `reason` on failure. */
  | { type: 'purge'; provider: string; ok: boolean; urls: number; tags: number; durationMs: number; reason?: string };

/** `x-isr-cache` values, as counted by `answer` events. */
export type AnswerStatus = 'HIT' | 'STALE' | 'MISS' | 'BYPASS';

/** A page answer with its `x-isr-cache` status. */
export interface AnswerEvent {
  readonly type: 'answer';
  readonly status: AnswerStatus;
}

/** The one `answer` event object per status, shared by every request. */
export const ANSWER_EVENTS: Readonly<Record<AnswerStatus, AnswerEvent>> = Object.freeze({
  HIT: Object.freeze({ type: 'answer', status: 'HIT' }),
  STALE: Object.freeze({ type: 'answer', status: 'STALE' }),
  MISS: Object.freeze({ type: 'answer', status: 'MISS' }),
  BYPASS: Object.freeze({ type: 'answer', status: 'BYPASS' }),
});

/** Listener for {@link ISREvent}s. */
export type ISREventListener = (event: ISREvent) => void;

/** Delivers one event to the listener, if any; a throwing listener never breaks request handling. */
export type ISREmit = (event: ISREvent) => void;

/** The handler's {@link ISREmit} for the `onEvent` option. */
export function createEmitter(listener: ISREventListener | undefined, first?: ISREventListener): ISREmit {
  return (event) => {
    // `first` is the handler's own metrics: it never throws.
    first?.(event);
    if (listener) {
      try {
        listener(event);
      } catch {
        // A listener must not break request handling.
      }
    }
  };
}
