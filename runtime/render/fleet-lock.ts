import type { CacheAccess } from './cache-access.js';
import type { RenderOutcome } from './store.js';

/** Default lifetime of a fleet lock between renewals: a crashed holder delays others this long at most. */
export const DEFAULT_FLEET_LOCK_TTL_MS = 5_000;
/** Longest pause between two looks of a waiting instance. */
const MAX_POLL_MS = 200;

/**
 * The fleet-wide render lock of shared tiers (Redis): one instance renders a key, the others
 * wait for its page. Tiers without `acquireLock` (memory, filesystem) always grant it.
 *
 * The lock lives `ttlMs` (a few seconds) and its holder renews it every third of that while it
 * renders, so a holder that crashes frees the key within `ttlMs`, whatever `renderTimeoutMs` is.
 * A waiter gives up waiting after one render timeout plus one TTL and renders itself.
 */
export class FleetLock {
  /** Renewal timers of the locks this process holds (at most one per key in flight). */
  private readonly renewals = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly access: CacheAccess,
    private readonly renderTimeoutMs: number,
    private readonly ttlMs = DEFAULT_FLEET_LOCK_TTL_MS,
  ) {}

  /** Takes the lock of `key`; a failing cache grants it (render rather than wait on an outage). */
  async lock(key: string): Promise<boolean> {
    const { cache } = this.access;
    if (!cache.acquireLock) {
      return true;
    }
    let locked: boolean;
    try {
      locked = await cache.acquireLock(key, this.ttlMs);
    } catch (error) {
      this.access.failed('lock', error);
      return true;
    }
    if (locked) this.startRenewing(key);
    return locked;
  }

  /** Stops renewing and releases the lock of `key`. */
  async unlock(key: string): Promise<void> {
    this.stopRenewing(key);
    try {
      await this.access.cache.releaseLock?.(key);
    } catch (error) {
      this.access.failed('lock', error);
    }
  }

  /**
   * The render behind a MISS. With a fleet-wide lock, an instance that does not get the lock
   * waits for the holder's page instead of rendering it again; when the holder finishes without
   * storing (an uncacheable page) or dies (its lock expires) this instance renders itself.
   */
  async renderOnce(key: string, render: () => Promise<RenderOutcome>): Promise<RenderOutcome> {
    if (!this.access.cache.acquireLock) {
      return render();
    }
    // A live holder finishes (or times out) within renderTimeoutMs and its lock expires ttlMs later.
    const deadline = Date.now() + this.renderTimeoutMs + this.ttlMs;
    let delay = 10;
    let waited = false;
    while (!(await this.lock(key))) {
      waited = true;
      const stored = await this.peerEntry(key);
      if (stored || Date.now() >= deadline) {
        return stored ?? render();
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
    try {
      // The holder may have stored the page and released the lock since the last look.
      return (waited ? await this.peerEntry(key) : undefined) ?? (await render());
    } finally {
      await this.unlock(key);
    }
  }

  /** Renews the lock every third of its TTL until {@link unlock}; a lost lock stops the timer. */
  private startRenewing(key: string): void {
    const { cache } = this.access;
    if (!cache.renewLock) return;
    this.stopRenewing(key);
    const timer = setInterval(
      () => {
        cache.renewLock?.(key, this.ttlMs).then(
          (held) => {
            if (!held && this.renewals.get(key) === timer) this.stopRenewing(key);
          },
          (error: unknown) => this.access.failed('lock', error),
        );
      },
      Math.max(1, Math.floor(this.ttlMs / 3)),
    );
    timer.unref();
    this.renewals.set(key, timer);
  }

  private stopRenewing(key: string): void {
    const timer = this.renewals.get(key);
    if (timer === undefined) return;
    clearInterval(timer);
    this.renewals.delete(key);
  }

  /** The current-build entry another instance stored for `key`, as a render outcome. */
  private async peerEntry(key: string): Promise<RenderOutcome | undefined> {
    const found = await this.access.lookup(key, false);
    const entry = found.ok ? found.entry : undefined;
    return entry ? { page: entry, report: { revalidate: entry.revalidate, tags: entry.tags }, entry } : undefined;
  }
}
