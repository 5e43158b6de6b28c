/** Errors that mean "the disk takes no writes now" rather than a bug: full, read-only, no permission. */
const OUTAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);
/** How long writes are refused without touching the disk after one failed. */
export const WRITE_RETRY_AFTER_MS = 1_000;

/** A write refused because the folder takes no writes (the handler answers without storing). */
export class CacheWriteUnavailableError extends Error {
  override readonly name = 'CacheWriteUnavailableError';
  constructor(
    message: string,
    /** The errno code behind it (`ENOSPC`, `EROFS`...). */
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Tracks a folder that stopped taking writes. After one write fails with a full, read-only or
 * forbidden disk, further writes within {@link WRITE_RETRY_AFTER_MS} reject at once with the
 * same reason, so a burst of misses costs no disk work and no temp files; the next write after
 * that tries the disk again.
 */
export class WriteOutage {
  private failure: CacheWriteUnavailableError | undefined;
  private retryAt = 0;

  constructor(
    private readonly directory: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws the current outage's error while writes are being refused. */
  check(): void {
    if (this.failure && this.now() < this.retryAt) throw this.failure;
  }

  /** Turns an outage errno into a {@link CacheWriteUnavailableError}; other errors pass unchanged. */
  failed(error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (!code || !OUTAGE_CODES.has(code)) return error;
    this.failure = new CacheWriteUnavailableError(
      `cache folder ${this.directory} takes no writes (${code}); pages are answered without being stored`,
      code,
    );
    this.retryAt = this.now() + WRITE_RETRY_AFTER_MS;
    return this.failure;
  }

  /** A write went through: the outage is over. */
  succeeded(): void {
    this.failure = undefined;
  }
}
