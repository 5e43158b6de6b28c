/** What one invalidation asks the CDN to forget. */
export interface PurgeRequest {
  /** Absolute URLs on the public origin (`https://www.example.com/blog/a`). */
  urls: readonly string[];
  /** Cache tags: the route tags named in the request plus the key tag of each page (`cdnKeyTag`). */
  tags: readonly string[];
}

/**
 * A CDN (or anything else) told about invalidated pages. `purge` resolves when everything was
 * purged and rejects with a {@link PurgeError} whose message is safe to show (no secrets).
 * Ship your own by implementing this; `cloudflarePurger`, `fastlyPurger` and `webhookPurger`
 * are built in.
 */
export interface Purger {
  /** Short name in answers, logs and metrics (`cloudflare`, `fastly`, `webhook`, …). */
  readonly name: string;
  purge(request: PurgeRequest): Promise<void>;
}

/** A purge that did not go through; the message names the cause and never holds a secret. */
export class PurgeError extends Error {
  constructor(
    message: string,
    /** True when trying again later may succeed (429, 5xx, timeouts, network errors). */
    readonly retryable = false,
    /** The server's `Retry-After`, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'PurgeError';
  }
}

/** How a built-in purger talks HTTP. */
export interface PurgeHttpOptions {
  /** Longest one request may take. Default 10000 ms. */
  timeoutMs?: number;
  /** Further attempts after a 429, a 5xx, a timeout or a network error. Default 2. */
  retries?: number;
  /** First back-off delay, doubled on each retry (a `Retry-After` answer wins). Default 500 ms. */
  retryDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one fails the purge at once. Default 30000 ms. */
  maxRetryAfterMs?: number;
  /** Requests in flight at once per purger. Default 2. */
  concurrency?: number;
}

/** A secret read from the environment at purge time (so rotating it needs no restart). */
export function secretFromEnv(envName: string, purger: string): string {
  const value = process.env[envName];
  if (value === undefined || value === '') {
    throw new PurgeError(`${purger}: the environment variable ${envName} is not set`);
  }
  return value;
}

/** Splits `items` into lists of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
