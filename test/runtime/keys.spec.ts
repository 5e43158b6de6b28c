import { cacheKeyFor, compileParamMatcher, DEFAULT_TRACKING_PARAMS, normalisePath } from '../../runtime/http/cache-key.js';

describe('cache keys', () => {
  const allowed = new Set(['page', 'lang']);
  const isTracking = compileParamMatcher(DEFAULT_TRACKING_PARAMS);
  const key = (url: string) => cacheKeyFor(url, allowed, isTracking);

  it.each([
    ['/', '/'],
    ['/blog/a', '/blog/a'],
    ['/blog/a/', '/blog/a'],
    ['/blog/a?', '/blog/a'],
    ['/blog/a#top', '/blog/a'],
    ['/blog/a?utm_source=x&utm_medium=y', '/blog/a'],
    ['/blog/a?gclid=1&fbclid=2&msclkid=3', '/blog/a'],
    ['/list?page=2', '/list?page=2'],
    ['/list?page=2&lang=en', '/list?lang=en&page=2'],
    ['/list?lang=en&page=2', '/list?lang=en&page=2'],
    ['/list?page=2&utm_campaign=z&lang=en', '/list?lang=en&page=2'],
    ['/list?page=b&page=a', '/list?page=a&page=b'],
    ['/list?page=a%20b', '/list?page=a+b'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/caf%c3%a9/', '/caf%C3%A9'],
  ])('%s -> %s', (url, expected) => {
    expect(key(url)).toEqual({ cacheable: true, key: expected });
  });

  it.each([
    ['/list?sort=asc', 'query parameter "sort" is not in allowedQueryParams'],
    ['/list?page=2&debug', 'query parameter "debug" is not in allowedQueryParams'],
    ['/a/../b', 'unusual path'],
    ['/a/%2e%2e/b', 'unusual path'],
    ['/a/./b', 'unusual path'],
    ['//evil.example/a', 'unusual path'],
    ['/a//b', 'unusual path'],
    ['/a%5Cb', 'unusual path'],
    ['/a%00', 'unusual path'],
    ['/%E0%A4%A', 'unusual path'],
    ['relative', 'unusual path'],
  ])('%s is not cacheable (%s)', (url, reason) => {
    expect(key(url)).toEqual({ cacheable: false, reason });
  });

  it('matches tracking prefixes and exact names only', () => {
    const match = compileParamMatcher(['utm_*', 'ref']);
    expect(['utm_', 'utm_source', 'ref'].map(match)).toEqual([true, true, true]);
    expect(['utm', 'referrer', 'xutm_a'].map(match)).toEqual([false, false, false]);
  });

  it('keeps the root path and never uses the host', () => {
    expect(normalisePath('/')).toBe('/');
    expect(key('http://other.example/blog')).toEqual({ cacheable: false, reason: 'unusual path' });
  });
});
