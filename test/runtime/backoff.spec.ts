import { Backoff } from '../../runtime/render/backoff.js';

describe('Backoff (injected clock, no waiting)', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('doubles the delay per failure up to maxDelayMs and lets a key retry exactly when it is due', () => {
    const backoff = new Backoff({ initialDelayMs: 1_000, maxDelayMs: 5_000 }, clock);
    const delays = Array.from({ length: 6 }, () => backoff.fail('/a').retryInMs);
    expect(delays).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    expect(backoff.mayAttempt('/a')).toBe(false);
    now += 4_999;
    expect([backoff.mayAttempt('/a'), backoff.retryInMs('/a')]).toEqual([false, 1]);
    now += 1;
    expect([backoff.mayAttempt('/a'), backoff.retryInMs('/a')]).toEqual([true, 0]);
    expect(backoff.isFailing('/a')).toBe(true);
    expect(backoff.succeed('/a')).toBe(6);
    expect([backoff.isFailing('/a'), backoff.fail('/a').retryInMs]).toEqual([false, 1_000]);
  });

  it('uses the defaults 5 s doubling to 5 min', () => {
    const backoff = new Backoff({}, clock);
    const delays = Array.from({ length: 8 }, () => backoff.fail('/a').retryInMs);
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('is bounded by bytes: the oldest streaks go first, whatever the key lengths', () => {
    const backoff = new Backoff({ initialDelayMs: 1_000 }, clock, 10_000);
    const long = (i: number) => `/${String(i).padStart(4, '0')}${'x'.repeat(2_000)}`;
    for (let i = 0; i < 100; i++) {
      backoff.fail(long(i));
    }
    // 96 + 2 × 2005 bytes per key: two fit in 10,000.
    expect(backoff.size).toBe(2);
    expect([backoff.isFailing(long(0)), backoff.isFailing(long(98)), backoff.isFailing(long(99))]).toEqual([false, true, true]);
  });

  it('forgets streaks idle for longer than the longest delay', () => {
    const backoff = new Backoff({ initialDelayMs: 1_000, maxDelayMs: 2_000 }, clock);
    backoff.fail('/old');
    now += 1_000 + 2_000;
    backoff.fail('/new');
    expect([backoff.isFailing('/old'), backoff.isFailing('/new'), backoff.size]).toEqual([false, true, 1]);
  });
});
