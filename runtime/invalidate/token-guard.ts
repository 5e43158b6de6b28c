import { LRUCache } from 'lru-cache';
import type { ISREmit } from '../render/isr-events.js';
import type { ISRLogger } from '../utils/logger.js';

/** Failed attempts are counted per client over this window (and logged at most once per window). */
export const FAILED_TOKEN_WINDOW_MS = 60_000;

/** Most clients tracked at once; the least recently failing are forgotten first. */
const MAX_CLIENTS = 10_000;

interface ClientWindow {
  failures: number;
  startedAt: number;
}

/** Settings of {@link TokenGuard}. */
export interface TokenGuardOptions {
  /** Failed attempts per client and minute before it gets 429; `0` = no limit. */
  maxFailures: number;
  logger: ISRLogger;
  emit: ISREmit;
  /** Clock (tests). */
  now?: () => number;
  maxClients?: number;
}

/**
 * Counts failed token attempts: each is an `invalidate-denied` event, they are logged at most once
 * a minute with a count, and a client over `maxFailures` a minute is refused (429) until its
 * window ends, even with the right token. The per-client map is an LRU bounded by count whose
 * entries expire with their window.
 */
export class TokenGuard {
  private readonly clients: LRUCache<string, ClientWindow>;
  private readonly now: () => number;
  private unlogged = 0;
  private lastLogAt = -Infinity;

  constructor(private readonly options: TokenGuardOptions) {
    this.now = options.now ?? Date.now;
    this.clients = new LRUCache<string, ClientWindow>({
      max: options.maxClients ?? MAX_CLIENTS,
      ttl: FAILED_TOKEN_WINDOW_MS,
      ttlAutopurge: false,
      perf: { now: () => this.now() },
    });
  }

  /** Seconds the client must wait when it is over the limit, else `undefined`. */
  retryAfter(client: string): number | undefined {
    if (this.options.maxFailures <= 0) {
      return undefined;
    }
    const window = this.current(client, this.now());
    if (window === undefined || window.failures < this.options.maxFailures) {
      return undefined;
    }
    this.options.emit({ type: 'invalidate-denied', client, reason: 'limited' });
    return Math.max(1, Math.ceil((window.startedAt + FAILED_TOKEN_WINDOW_MS - this.now()) / 1000));
  }

  /** The client's window unless it has ended (the LRU's ttl purges lazily). */
  private current(client: string, now: number): ClientWindow | undefined {
    const window = this.clients.get(client);
    return window !== undefined && now - window.startedAt < FAILED_TOKEN_WINDOW_MS ? window : undefined;
  }

  /** Records a failed attempt (missing or wrong token) of `client`. */
  fail(client: string, reason: 'missing' | 'invalid'): void {
    const now = this.now();
    const window = this.current(client, now);
    if (window === undefined) {
      // A new window; the LRU's ttl (from now) expires it with the window.
      this.clients.set(client, { failures: 1, startedAt: now });
    } else {
      window.failures++;
    }
    this.options.emit({ type: 'invalidate-denied', client, reason });
    this.unlogged++;
    if (now - this.lastLogAt >= FAILED_TOKEN_WINDOW_MS) {
      this.options.logger.warn(
        `invalidate: ${this.unlogged} request(s) with a missing or wrong token since the last report (latest from ${client})`,
      );
      this.unlogged = 0;
      this.lastLogAt = now;
    }
  }
}
