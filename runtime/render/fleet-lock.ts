import type { CacheAccess } from './cache-access.js';
import type { RenderOutcome } from './store.js';

/** How much longer than a render the fleet lock of a key is held at most. */
const LOCK_MARGIN_MS = 5_000;

/**
 * The fleet-wide render lock of shared tiers (Redis): one instance renders a key, the others
 * wait for its page. Tiers without `acquireLock` (memory, filesystem) always grant it.
 */
export class FleetLock {
  constructor(
    private readonly access: CacheAccess,
    private readonly renderTimeoutMs: number,
  ) {}

  /** Takes the lock of `key`; a failing cache grants it (render rather than wait on an outage). */
  async lock(key: string): Promise<boolean> {
    const { cache } = this.access;
    if (!cache.acquireLock) {
      return true;
    }
    try {
      return await cache.acquireLock(key, this.renderTimeoutMs + LOCK_MARGIN_MS);
    } catch (error) {
      this.access.failed('lock', error);
      return true;
    }
  }

  async unlock(key: string): Promise<void> {
    try {
      await this.access.cache.releaseLock?.(key);
    } catch (error) {
      this.access.failed('lock', error);
    }
  }

  /**
   * The render behind a MISS. With a fleet-wide lock, an instance that does not get the lock
   * waits for the holder's page instead of rendering it again; when the holder finishes without
   * storing (an uncacheable page) the lock frees and this instance renders itself.
   */
  async renderOnce(key: string, render: () => Promise<RenderOutcome>): Promise<RenderOutcome> {
    if (!this.access.cache.acquireLock) {
      return render();
    }
    const deadline = Date.now() + this.renderTimeoutMs;
    let delay = 10;
    let waited = false;
    while (!(await this.lock(key))) {
      waited = true;
      const stored = await this.peerEntry(key);
      if (stored || Date.now() >= deadline) {
        return stored ?? render();
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
    try {
      // The holder may have stored the page and released the lock since the last look.
      return (waited ? await this.peerEntry(key) : undefined) ?? (await render());
    } finally {
      await this.unlock(key);
    }
  }

  /** The current-build entry another instance stored for `key`, as a render outcome. */
  private async peerEntry(key: string): Promise<RenderOutcome | undefined> {
    const found = await this.access.lookup(key, false);
    const entry = found.ok ? found.entry : undefined;
    return entry ? { page: entry, report: { revalidate: entry.revalidate, tags: entry.tags }, entry } : undefined;
  }
}
