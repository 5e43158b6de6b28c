/** Options of `ISRHandler.close()`. */
export interface CloseOptions {
  /**
   * How long to wait for renders still running (background regenerations too) before closing the
   * cache tier anyway. Default: no bound (each render is bounded by `renderTimeoutMs`).
   */
  timeoutMs?: number;
}

/** Checks `timeoutMs` of `close()`: a finite number of milliseconds, 0 or more. */
export function closeTimeout(options: CloseOptions | undefined): number | undefined {
  const timeoutMs = options?.timeoutMs;
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`close({ timeoutMs }) must be a finite number of milliseconds >= 0, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
}

/** Resolves true once `work` settles, or false when `timeoutMs` passes first (the timer never keeps Node alive). */
export async function settledWithin(work: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
  const done = work.then(
    () => true,
    () => true,
  );
  if (timeoutMs === undefined) return done;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([done, expired]);
  } finally {
    clearTimeout(timer);
  }
}
