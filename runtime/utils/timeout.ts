/** Rejection of a task that ran longer than allowed. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`render timed out after ${ms} ms`);
  }
}

/**
 * Runs `task` with an AbortSignal that fires after `ms`; the returned promise rejects with
 * {@link TimeoutError} at that moment even if the task ignores the signal.
 */
export function withTimeout<T>(ms: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
    timer.unref?.();
  });
  return Promise.race([task(controller.signal), timeout]).finally(() => clearTimeout(timer));
}
