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
  | { type: 'cache-error'; operation: 'get' | 'set' | 'delete' | 'keysByTag' | 'lock'; message: string };

/** Listener for {@link ISREvent}s. */
export type ISREventListener = (event: ISREvent) => void;

/** Delivers one event to the listener, if any; a throwing listener never breaks request handling. */
export type ISREmit = (event: ISREvent) => void;

/** The handler's {@link ISREmit} for the `onEvent` option. */
export function createEmitter(listener: ISREventListener | undefined): ISREmit {
  return (event) => {
    if (listener) {
      try {
        listener(event);
      } catch {
        // A listener must not break request handling.
      }
    }
  };
}
