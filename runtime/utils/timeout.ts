/** Rejection of a task that ran longer than allowed; `what` names the task (`render`, …). */
export class TimeoutError extends Error {
  constructor(
    readonly ms: number,
    what = 'task',
  ) {
    super(`${what} timed out after ${ms} ms`);
  }
}

/**
 * Runs `task` with an AbortSignal that fires after `ms`; the returned promise rejects at that
 * moment even if the task ignores the signal, with `timeoutError()` (default: a
 * {@link TimeoutError}).
 */
export function withTimeout<T>(
  ms: number,
  task: (signal: AbortSignal) => Promise<T>,
  timeoutError: () => Error = () => new TimeoutError(ms),
): Promise<T> {
  const controller = new AbortController();
  let work: Promise<T>;
  try {
    work = task(controller.signal);
  } catch (error) {
    // A task that throws before returning its promise rejects at once, with no timer left behind.
    return Promise.reject(error);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = timeoutError();
      controller.abort(error);
      reject(error);
    }, ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
