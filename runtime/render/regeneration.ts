import type { ISREmit } from './isr-events.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import type { Backoff } from './backoff.js';
import type { CacheAccess } from './cache-access.js';
import type { FleetLock } from './fleet-lock.js';
import { goneReason } from './gone.js';
import type { RenderRequests } from './render-requests.js';
import type { SingleFlight } from './single-flight.js';
import type { PageStore, RenderOutcome } from './store.js';

/** Thrown (to the flight's joiners) when a regeneration produced nothing storable. */
class RegenerationFailed extends Error {}

/** Why a regeneration runs. */
export type RegenerationCause = 'regenerate' | 'invalidate';

/** A regeneration's result: a stored page, or a page found gone (deleted), or one left marked stale. */
export type RegenerationOutcome = RenderOutcome & {
  /** Why the page was deleted from the cache (it answers 404/410, redirects, or is no longer cacheable). */
  removed?: string;
  /** Why the page was only marked stale (a peer's render did not finish in time). */
  markedStale?: string;
};

/** Longest poll interval while an invalidation waits for a peer's render. */
const MAX_POLL_MS = 200;

/**
 * Background and on-demand regeneration: renders a key from a synthetic request and replaces
 * the entry; a page that is gone leaves the cache; a failure keeps the last good page and backs
 * the key off.
 */
export class Regenerator {
  constructor(
    private readonly flights: SingleFlight<RenderOutcome>,
    private readonly backoff: Backoff,
    private readonly fleetLock: FleetLock,
    private readonly store: PageStore,
    private readonly requests: RenderRequests,
    private readonly logger: ISRLogger,
    private readonly emit: ISREmit,
    private readonly access: CacheAccess,
    /** How long an invalidation waits for another instance's render of the key (its lock). */
    private readonly peerWaitMs: number,
  ) {}

  /** True while the key's regenerations fail (its page is served as STALE). */
  isFailing(key: string): boolean {
    return this.backoff.isFailing(key);
  }

  /**
   * True while a render of `key` runs in this process or, on a shared tier, holds the fleet lock
   * (a first render counts as "in cache" for invalidation: its result predates the change).
   */
  async isRendering(key: string): Promise<boolean> {
    if (this.flights.get(key) !== undefined) {
      return true;
    }
    if (!this.access.cache.acquireLock || !(await this.fleetLock.lock(key))) {
      return this.access.cache.acquireLock !== undefined;
    }
    await this.fleetLock.unlock(key);
    return false;
  }

  /** Settles once the renders running now have settled (those started later are not waited for). */
  async settleRunning(): Promise<void> {
    await this.flights.settled();
  }

  /** Starts a background regeneration unless one runs or the key is backing off. */
  schedule(key: string): void {
    if (this.flights.get(key) !== undefined || !this.backoff.mayAttempt(key)) {
      return;
    }
    this.regenerate(key, 'regenerate', false).catch(() => undefined);
  }

  /**
   * Renders `key` from a synthetic request and replaces the entry; on failure the last good page
   * stays, the failure is logged once per streak and the key backs off. `fresh` (invalidation)
   * waits for a render already running and then renders again, so the result reflects the
   * content change that triggered it.
   */
  async regenerate(key: string, cause: RegenerationCause, fresh: boolean): Promise<RegenerationOutcome> {
    if (fresh) {
      await this.flights.get(key)?.catch(() => undefined);
    }
    return this.flights.run(key, () => this.regenerateNow(key, cause)).promise;
  }

  private async regenerateNow(key: string, cause: RegenerationCause): Promise<RegenerationOutcome> {
    if (!(await this.lock(key, cause))) {
      if (cause === 'regenerate') {
        // Another instance of the fleet regenerates this key; its result lands in the shared cache.
        return { page: null, report: {}, notStored: 'another instance is regenerating this page' };
      }
      return this.leaveStale(key);
    }
    try {
      const outcome: RegenerationOutcome = await this.store.renderAndStore(key, this.requests.synthetic(key), cause);
      if (!outcome.entry) {
        const removed = goneReason(outcome);
        if (removed === undefined) {
          throw new RegenerationFailed(outcome.notStored ?? 'not stored');
        }
        await this.access.remove(key);
        this.backoff.succeed(key);
        this.emit({ type: 'remove', key, cause, reason: removed });
        this.logger.info(`${key} left the cache: ${removed}`);
        return { ...outcome, removed };
      }
      const failures = this.backoff.succeed(key);
      if (failures > 0) {
        this.logger.info(`regeneration of ${key} recovered after ${failures} failed attempt(s)`);
      }
      this.emit({ type: 'regeneration', key, cause, ok: true });
      return outcome;
    } catch (error) {
      throw this.failed(key, cause, error);
    } finally {
      await this.fleetLock.unlock(key);
    }
  }

  /**
   * The fleet lock of `key`. A background regeneration leaves the key to the holder; an
   * invalidation waits (bounded) for the holder, whose render may predate the content change, and
   * then renders again itself.
   */
  private async lock(key: string, cause: RegenerationCause): Promise<boolean> {
    const deadline = Date.now() + this.peerWaitMs;
    let delay = 10;
    while (!(await this.fleetLock.lock(key))) {
      if (cause === 'regenerate' || Date.now() >= deadline) {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
    return true;
  }

  /** A peer held the key's lock past the wait: mark the shared entry stale so the next request regenerates it. */
  private async leaveStale(key: string): Promise<RegenerationOutcome> {
    const reason = 'another instance was still rendering this page; marked stale';
    for (const copy of await this.access.copiesOf(key)) {
      await this.access.markStale(copy.storageKey);
    }
    return { page: null, report: {}, notStored: reason, markedStale: reason };
  }

  /** Backs the key off, logs the first failure of a streak, and returns the error to rethrow. */
  private failed(key: string, cause: RegenerationCause, error: unknown): Error {
    const reason = errorMessage(error);
    const { failures, retryInMs } = this.backoff.fail(key);
    const line = `regeneration of ${key} failed: ${reason}; serving the last good page, next attempt in ${Math.round(retryInMs / 1000)} s`;
    if (failures === 1) {
      this.logger.warn(line);
    } else {
      this.logger.debug?.(line);
    }
    this.emit({ type: 'regeneration', key, cause, ok: false, reason, failures, retryInMs });
    return error instanceof Error ? error : new RegenerationFailed(reason);
  }
}
