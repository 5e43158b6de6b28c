import { cacheKeyFor, compileParamMatcher, DEFAULT_TRACKING_PARAMS } from '../../runtime/http/cache-key.js';
import { canonicalPath } from '../../runtime/http/path-canonical.js';

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
    ['/list?page=%32', '/list?page=2'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/caf%c3%a9/', '/caf%C3%A9'],
    // One page, one key: escapes of unreserved characters are decoded, others upper-cased.
    ['/%70ublic', '/public'],
    ['/%70%75%62%6C%69%63/', '/public'],
    ['/publi%63?utm_source=x', '/public'],
    ['/a%7Eb%2D%2e%5F', '/a~b-._'],
    ['/a%21b%40c%3Ad', '/a!b@c:d'],
    ['/a%20b', '/a%20b'],
    ['/a%3bb', '/a%3Bb'],
    ['/a%28b%29', '/a%28b%29'],
    ['/a%25b', '/a%25b'],
  ])('%s -> %s', (url, expected) => {
    expect(key(url)).toEqual({ cacheable: true, key: expected });
  });

  it.each([
    ['/list?sort=asc', 'query parameter "sort" is not in allowedQueryParams'],
    ['/list?page=2&debug', 'query parameter "debug" is not in allowedQueryParams'],
  ])('%s is not cacheable (%s)', (url, reason) => {
    expect(key(url)).toEqual({ cacheable: false, reason });
  });

  // Spellings whose meaning can change (Angular's router, WHATWG URL): answered, never stored.
  it.each([
    '/a/../b',
    '/a/%2e%2e/b',
    '/a/%2E./b',
    '/a/./b',
    '/a/%2e/b',
    '//evil.example/a',
    '/a//b',
    '/a/b//',
    '/a%5Cb',
    '/a\\b',
    '/a%2Fb',
    '/a%2fb',
    '/a%00',
    '/a%0a',
    '/%E0%A4%A',
    '/a%zz',
    '/a%',
    '/public;s=1',
    '/public;s=1/x',
    '/a/(aux:b)',
    '/index.html',
    '/blog/index.html',
    '/caf\u00e9',
    '/a b',
    '/a"b',
    'relative',
    '*',
    'http://other.example/blog',
  ])('%s is served but never stored (unusual path)', (url) => {
    const result = key(url);
    expect(result.cacheable).toBe(false);
    expect(!result.cacheable && result.reason).toMatch(/^unusual path: /);
  });

  it('matches tracking prefixes and exact names only', () => {
    const match = compileParamMatcher(['utm_*', 'ref']);
    expect(['utm_', 'utm_source', 'ref'].map(match)).toEqual([true, true, true]);
    expect(['utm', 'referrer', 'xutm_a'].map(match)).toEqual([false, false, false]);
  });

  it('keeps the root path and gives each page one spelling', () => {
    expect(canonicalPath('/')).toEqual({ ok: true, path: '/' });
    expect(canonicalPath('/%7e')).toEqual({ ok: true, path: '/~' });
    const spellings = ['/public', '/public/', '/%70ublic', '/PUBLIC'.toLowerCase(), '/pub%6cic', '/pub%6Cic/'];
    expect(new Set(spellings.map((path) => JSON.stringify(canonicalPath(path))))).toEqual(
      new Set([JSON.stringify({ ok: true, path: '/public' })]),
    );
  });
});
