/**
 * At most one running task per key: callers that arrive while a task for the key runs share its
 * promise instead of starting another.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** The running task for `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.running.get(key);
  }

  /** Joins the running task for `key` or starts `task`. `started` tells which happened. */
  run(key: string, task: () => Promise<T>): { promise: Promise<T>; started: boolean } {
    const current = this.running.get(key);
    if (current) {
      return { promise: current, started: false };
    }
    const promise = Promise.resolve()
      .then(task)
      .finally(() => {
        if (this.running.get(key) === promise) {
          this.running.delete(key);
        }
      });
    this.running.set(key, promise);
    return { promise, started: true };
  }

  /** Number of running tasks. */
  get size(): number {
    return this.running.size;
  }

  /** Settles when every task running now has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
