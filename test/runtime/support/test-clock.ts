/** A clock for the handler's `now` option that moves only when a test says so. */
export class TestClock {
  private ms = Date.UTC(2026, 0, 1);

  /** The `now` option: bound, so it can be passed as it is. */
  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }
}
