import { cacheControlFor, forbidsSharing } from '../../runtime/http/cache-control.js';

describe('Cache-Control for cached pages', () => {
  it('lets CDNs share fresh pages for what is left of their lifetime, stale for at most revalidate more', () => {
    expect(cacheControlFor(60, 60, false)).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=60');
    expect(cacheControlFor(60, 12.8, false)).toBe('public, max-age=0, s-maxage=12, stale-while-revalidate=60');
    expect(cacheControlFor(60, 0.01, false)).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=60');
  });

  it('lets CDNs store a stale answer for one second (an answer they may store replaces their older copy)', () => {
    expect(cacheControlFor(60, -30, true)).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=60');
    // Stale because regenerations fail, with freshness left: still one second.
    expect(cacheControlFor(60, 40, true)).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=60');
  });

  it('makes on-demand pages (revalidate 0) revalidate with the ETag', () => {
    expect(cacheControlFor(0, Infinity, false)).toBe('public, max-age=0, s-maxage=0, must-revalidate');
  });

  it('applies the options, capping the browser max-age at s-maxage', () => {
    expect(cacheControlFor(30, 30, false, { staleWhileRevalidate: 5, maxAge: 10 })).toBe(
      'public, max-age=10, s-maxage=30, stale-while-revalidate=5',
    );
    expect(cacheControlFor(30, 30, false, { maxAge: 100 })).toBe('public, max-age=30, s-maxage=30, stale-while-revalidate=30');
    expect(cacheControlFor(1.7, 1.7, false, { staleWhileRevalidate: -4 })).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=0');
  });

  it.each([
    ['private', true],
    ['private, max-age=60', true],
    ['no-store', true],
    ['public, No-Store', true],
    ['max-age=0, private="set-cookie"', true],
    ['public, max-age=60', false],
    ['no-cache', false],
    [undefined, false],
    ['x-private-thing', false],
  ])('forbidsSharing(%p) = %p', (value, expected) => {
    expect(forbidsSharing(value)).toBe(expected);
  });
});
