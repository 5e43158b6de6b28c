import { compileParamMatcher, DEFAULT_TRACKING_PARAMS } from '../../runtime/http/cache-key.js';
import { isRejection, parseRawBody, validateInvalidateBody } from '../../runtime/invalidate/invalidate-body.js';
import { bearerToken, tokensMatch } from '../../runtime/invalidate/token.js';

const limits = {
  maxUrls: 5,
  requestHost: 'www.example.com',
  allowedQueryParams: new Set(['page']),
  isTracking: compileParamMatcher(DEFAULT_TRACKING_PARAMS),
};

describe('invalidate body validator', () => {
  const malformed: Array<[string, unknown, 400 | 413]> = [
    ['null', null, 400],
    ['a number', 42, 400],
    ['a string', 'urls', 400],
    ['a boolean', true, 400],
    ['an array', ['/a'], 400],
    ['an empty object', {}, 400],
    ['only a token', { token: 't' }, 400],
    ['a numeric token', { token: 1, urlsToInvalidate: ['/'] }, 400],
    ['an object token', { token: { a: 1 }, urlsToInvalidate: ['/'] }, 400],
    ['urls as a string', { urlsToInvalidate: '/a' }, 400],
    ['urls as an object', { urlsToInvalidate: { 0: '/a' } }, 400],
    ['urls as null', { urlsToInvalidate: null }, 400],
    ['urls as a number', { urlsToInvalidate: 3 }, 400],
    ['tags as a string', { tags: 'posts' }, 400],
    ['tags as null', { tags: null }, 400],
    ['both lists empty', { urlsToInvalidate: [], tags: [] }, 400],
    ['an empty url list only', { urlsToInvalidate: [] }, 400],
    ['a numeric url', { urlsToInvalidate: [1] }, 400],
    ['a null url', { urlsToInvalidate: [null] }, 400],
    ['a nested array url', { urlsToInvalidate: [['/a']] }, 400],
    ['an object url', { urlsToInvalidate: [{ url: '/a' }] }, 400],
    ['an empty url', { urlsToInvalidate: [''] }, 400],
    ['a relative url', { urlsToInvalidate: ['blog/a'] }, 400],
    ['a protocol-relative url', { urlsToInvalidate: ['//evil.example/a'] }, 400],
    ['an absolute url to another host', { urlsToInvalidate: ['https://evil.example/a'] }, 400],
    ['an absolute url to a look-alike host', { urlsToInvalidate: ['https://www.example.com.evil.example/a'] }, 400],
    ['a javascript: url', { urlsToInvalidate: ['javascript:alert(1)'] }, 400],
    ['a file: url', { urlsToInvalidate: ['file:///etc/passwd'] }, 400],
    ['a dot-dot path', { urlsToInvalidate: ['/a/../../etc/passwd'] }, 400],
    ['an encoded dot-dot path', { urlsToInvalidate: ['/a/%2E%2E/b'] }, 400],
    ['a backslash path', { urlsToInvalidate: ['/a\\..\\b'] }, 400],
    ['a path with a NUL byte', { urlsToInvalidate: ['/a%00b'] }, 400],
    ['a path with an empty segment', { urlsToInvalidate: ['/a//b'] }, 400],
    ['a very long url', { urlsToInvalidate: ['/' + 'a'.repeat(5000)] }, 400],
    ['a numeric tag', { tags: [7] }, 400],
    ['an empty tag', { tags: [''] }, 400],
    ['a huge tag', { tags: ['t'.repeat(1000)] }, 400],
    ['a good url next to a bad one', { urlsToInvalidate: ['/ok', 5] }, 400],
    ['too many urls', { urlsToInvalidate: ['/1', '/2', '/3', '/4', '/5', '/6'] }, 413],
    ['a huge list', { urlsToInvalidate: Array.from({ length: 100_000 }, (_, i) => `/p/${i}`) }, 413],
    ['too many urls and tags together', { urlsToInvalidate: ['/1', '/2', '/3'], tags: ['a', 'b', 'c'] }, 413],
  ];

  it('covers at least 30 malformed bodies', () => {
    expect(malformed.length).toBeGreaterThanOrEqual(30);
  });

  it.each(malformed)('refuses %s', (_name, body, status) => {
    const result = validateInvalidateBody(body, limits);
    expect(isRejection(result)).toBe(true);
    expect(result).toMatchObject({ ok: false, status });
    expect((result as { error: string }).error.length).toBeGreaterThan(0);
  });

  const rawCases: Array<[string, string, string | undefined]> = [
    ['an empty body', '', 'application/json'],
    ['non-JSON text', 'urlsToInvalidate=/a', 'application/json'],
    ['truncated JSON', '{"urlsToInvalidate": ["/a"', 'application/json'],
    ['JSON with a text/plain type', '{"urlsToInvalidate":["/a"]}', 'text/plain'],
    ['JSON with a form type', '{"urlsToInvalidate":["/a"]}', 'application/x-www-form-urlencoded'],
    ['JSON without a content type', '{"urlsToInvalidate":["/a"]}', undefined],
  ];

  it.each(rawCases)('refuses %s with 400', (_name, raw, type) => {
    const result = parseRawBody(Buffer.from(raw), type);
    expect(result).toMatchObject({ ok: false, status: 400 });
  });

  it('accepts JSON media types with parameters and +json', () => {
    expect(parseRawBody(Buffer.from('{"a":1}'), 'application/json; charset=utf-8')).toEqual({ a: 1 });
    expect(parseRawBody(Buffer.from('{"a":1}'), 'application/merge-patch+json')).toEqual({ a: 1 });
  });

  it('accepts paths, same-host URLs and tags, keyed like requests', () => {
    const result = validateInvalidateBody(
      {
        token: 't',
        urlsToInvalidate: ['/', '/blog/a?utm_source=x', 'https://www.example.com/list?page=2', '/list?sort=asc', '/blog/a/'],
        tags: ['posts'],
      },
      { ...limits, maxUrls: 10 },
    );
    expect(result).toEqual({
      ok: true,
      token: 't',
      urls: [
        { url: '/', key: '/' },
        { url: '/blog/a?utm_source=x', key: '/blog/a' },
        { url: 'https://www.example.com/list?page=2', key: '/list?page=2' },
        { url: '/list?sort=asc', key: undefined },
        { url: '/blog/a/', key: '/blog/a' },
      ],
      tags: ['posts'],
    });
  });
});

describe('token checks', () => {
  it('compares tokens of any length without throwing', () => {
    expect(tokensMatch('s3cret', 's3cret')).toBe(true);
    expect(tokensMatch('s3cret', 's3cres')).toBe(false);
    expect(tokensMatch('', 's3cret')).toBe(false);
    expect(tokensMatch('s3cret-but-much-longer', 's3cret')).toBe(false);
  });

  it('reads bearer tokens only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
