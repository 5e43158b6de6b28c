import type { ISREmit } from './isr-events.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import type { Backoff } from './backoff.js';
import type { FleetLock } from './fleet-lock.js';
import type { RenderRequests } from './render-requests.js';
import type { SingleFlight } from './single-flight.js';
import type { PageStore, RenderOutcome } from './store.js';

/** Thrown (to the flight's joiners) when a regeneration produced nothing storable. */
class RegenerationFailed extends Error {}

/** Why a regeneration runs. */
export type RegenerationCause = 'regenerate' | 'invalidate';

/**
 * Background and on-demand regeneration: renders a key from a synthetic request and replaces
 * the entry; a failure keeps the last good page and backs the key off.
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
  ) {}

  /** True while the key's regenerations fail (its page is served as STALE). */
  isFailing(key: string): boolean {
    return this.backoff.isFailing(key);
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
  async regenerate(key: string, cause: RegenerationCause, fresh: boolean): Promise<RenderOutcome> {
    if (fresh) {
      await this.flights.get(key)?.catch(() => undefined);
    }
    return this.flights.run(key, () => this.regenerateNow(key, cause)).promise;
  }

  private async regenerateNow(key: string, cause: RegenerationCause): Promise<RenderOutcome> {
    const locked = await this.fleetLock.lock(key);
    if (!locked) {
      // Another instance of the fleet regenerates this key; its result lands in the shared cache.
      return { page: null, report: {}, notStored: 'another instance is regenerating this page' };
    }
    try {
      const outcome = await this.store.renderAndStore(key, this.requests.synthetic(key), cause);
      if (!outcome.entry) {
        throw new RegenerationFailed(outcome.notStored ?? 'not stored');
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
