import { parseAnswer } from '../../../builders/isr-invalidate/answer';
import { planBatches, requestBody } from '../../../builders/isr-invalidate/batches';
import { normaliseOptions, readToken, resolveEndpoint } from '../../../builders/isr-invalidate/options';
import { OptionsError } from '../../../builders/utils/options-error';
import { clean, networkFailureReason } from '../../../builders/utils/network-reasons';
import { formatSummary, formatUrlResult } from '../../../builders/isr-invalidate/report';
import { batchResult, succeeded, totalsOf } from '../../../builders/isr-invalidate/results';
import { parseListFile as parseUrlsFile } from '../../../builders/utils/list-file';
import optionsSchema from '../../../builders/isr-invalidate/schema.json';

// The builder's pure parts; the HTTP behaviour is covered by errors.spec.ts and contract.spec.ts.
describe('isr-invalidate pure helpers', () => {
  it('declares only option types the Angular CLI turns into flags (it has no "integer")', () => {
    const types = Object.values(optionsSchema.properties).map((property) => property.type);
    expect(types.filter((type) => !['string', 'number', 'boolean', 'array'].includes(type))).toEqual([]);
    // baseUrl is checked in code (one readable line), not by the schema validator's dump.
    expect((optionsSchema as { required?: string[] }).required).toBeUndefined();
  });

  it('parses a URL list file: trims, skips blanks and # comments, accepts CRLF', () => {
    expect(parseUrlsFile('# header\r\n/a\r\n\r\n   \n  /b  \n#/c\n/d?page=2\n')).toEqual(['/a', '/b', '/d?page=2']);
    expect(parseUrlsFile('')).toEqual([]);
  });

  it('plans batches of at most `size` entries, URLs first, then tags', () => {
    expect(planBatches(['/1', '/2', '/3'], ['t1', 't2'], 2)).toEqual([
      { urls: ['/1', '/2'], tags: [] },
      { urls: ['/3'], tags: ['t1'] },
      { urls: [], tags: ['t2'] },
    ]);
    expect(planBatches([], [], 5)).toEqual([]);
    expect(requestBody({ urls: [], tags: ['t2'] })).toEqual({ tags: ['t2'] });
    expect(requestBody({ urls: ['/1'], tags: [] })).toEqual({ urlsToInvalidate: ['/1'] });
  });

  it('keeps a path prefix of baseUrl and refuses credentials or other schemes', () => {
    expect(resolveEndpoint('https://example.com/shop/', '/api/invalidate').href).toBe('https://example.com/shop/api/invalidate');
    expect(resolveEndpoint('HTTP://Example.com', '/x').href).toBe('http://example.com/x');
    expect(() => resolveEndpoint('https://user:pw@example.com', '/x')).toThrow(OptionsError);
    expect(() => resolveEndpoint('file:///etc/passwd', '/x')).toThrow('--base-url must start with http:// or https://');
    expect(() => resolveEndpoint('not a url', '/x')).toThrow('is not a URL');
    expect(() => resolveEndpoint('https://example.com', '//evil.example/x')).toThrow('--path');
  });

  it('normalises options: de-duplicates, reduces same-origin URLs to paths, applies defaults', () => {
    const plan = normaliseOptions(
      { baseUrl: 'https://example.com', urls: ['/a', 'https://example.com/b?x=1#top', '/a'], tags: [' posts ', 'posts'] },
      ['/b?x=1', '/c'],
    );
    expect(plan).toEqual({
      endpoint: new URL('https://example.com/api/invalidate'),
      urls: ['/a', '/b?x=1', '/c'],
      tags: ['posts'],
      tokenEnv: 'ISR_INVALIDATE_TOKEN',
      timeoutMs: 10_000,
      retries: 2,
      batchSize: 100,
      dryRun: false,
    });
    expect(() => normaliseOptions({ baseUrl: 'https://example.com', urls: ['/a'], batchSize: 0 })).toThrow(
      '--batch-size must be a whole number of at least 1',
    );
    expect(() => normaliseOptions({ baseUrl: 'https://example.com', urls: ['/a'], tokenEnv: 's3cret-value!' })).toThrow(
      '--token-env must be the NAME',
    );
    expect(() => normaliseOptions({ baseUrl: 'https://example.com', tags: [''] })).toThrow('--tags contains an empty tag.');
  });

  it('reads the token only from the named variable; blank counts as missing', () => {
    expect(readToken({ MY_TOKEN: ' abc ' }, 'MY_TOKEN')).toBe('abc');
    expect(() => readToken({}, 'MY_TOKEN')).toThrow('The environment variable MY_TOKEN is not set.');
    expect(() => readToken({ MY_TOKEN: '' }, 'MY_TOKEN')).toThrow('The environment variable MY_TOKEN is empty.');
    expect(() => readToken({ MY_TOKEN: '  ' }, 'MY_TOKEN')).toThrow('The environment variable MY_TOKEN is empty.');
    expect(() => readToken({}, 'MY_TOKEN')).toThrow(OptionsError);
  });

  it('cleans server text to one short line and masks the token', () => {
    expect(clean('bad\n  token  s3cret-xyz\tgiven', 's3cret-xyz')).toBe('bad token *** given');
    expect(clean('x'.repeat(300), 't', 50)).toHaveLength(50);
  });

  it('words network failures fetch reports without a socket error code', async () => {
    const ctx = { endpoint: new URL('http://127.0.0.1:6000/api/invalidate'), tokenEnv: 'T', batchSize: 100, timeoutMs: 50 };
    const badPort = await fetch(ctx.endpoint, { method: 'POST' }).catch((error: unknown) => error);
    expect(networkFailureReason(badPort, ctx)).toBe(
      'fetch never connects to port 6000 (a blocked "bad port"); serve the app on another port',
    );
    expect(networkFailureReason(new DOMException('aborted', 'TimeoutError'), ctx)).toBe(
      'no answer from 127.0.0.1:6000 within 50 ms (timeout; raise --timeout-ms if the server is slow)',
    );
    expect(networkFailureReason(new TypeError('fetch failed', { cause: new Error('odd failure') }), ctx)).toBe(
      'request to 127.0.0.1:6000 failed: odd failure',
    );
  });

  it('validates the answer shape', () => {
    expect(parseAnswer({ invalidated: ['/a'], notInCache: [] })).toEqual({
      invalidated: ['/a'],
      notInCache: [],
      failed: {},
      removed: [],
      stale: [],
    });
    expect(parseAnswer({ invalidated: [], notInCache: [], removed: '/a' })).toEqual({ malformed: '"removed" is not a list of URLs' });
    expect(parseAnswer({ invalidated: [], notInCache: [], stale: [2] })).toEqual({ malformed: '"stale" is not a list of URLs' });
    expect(parseAnswer([])).toEqual({ malformed: 'expected a JSON object' });
    expect(parseAnswer({ invalidated: ['/a'], notInCache: [1] })).toEqual({ malformed: '"notInCache" is not a list of URLs' });
    expect(parseAnswer({ invalidated: [], notInCache: [], failed: { '/a': 3 } })).toEqual({
      malformed: '"failed" is not an object of URL → reason',
    });
  });

  it('attributes URLs the server adds to tags and counts them in the totals', () => {
    const result = batchResult(
      { urls: ['/a', '/b'], tags: ['posts'] },
      { ok: true, attempts: 1, value: { invalidated: ['/a', '/p/1'], notInCache: ['/b', '/p/2'], failed: {}, removed: [], stale: [] } },
    );
    expect(result.urls).toEqual([
      { url: '/a', status: 'invalidated', byTag: false },
      { url: '/b', status: 'notInCache', byTag: false },
      { url: '/p/1', status: 'invalidated', byTag: true },
      { url: '/p/2', status: 'notInCache', byTag: true },
    ]);
    const totals = totalsOf([result]);
    expect(totals).toEqual({ invalidated: 2, notInCache: 2, removed: 0, stale: 0, failed: 0, byTag: 2, tagFailures: 0 });
    expect(succeeded(totals)).toBe(true);
    expect(formatSummary(totals, 1234)).toBe('4 URLs (2 through tags): 2 invalidated, 2 not in cache, 0 failed in 1.23 s.');
  });

  it('counts removed and marked-stale URLs as handled (exit 0) and names them in the summary', () => {
    const result = batchResult(
      { urls: ['/gone', '/a'], tags: ['posts'] },
      { ok: true, attempts: 1, value: { invalidated: ['/a'], notInCache: [], failed: {}, removed: ['/gone'], stale: ['/p/9'] } },
    );
    expect(result.urls).toEqual([
      { url: '/gone', status: 'removed', byTag: false },
      { url: '/a', status: 'invalidated', byTag: false },
      { url: '/p/9', status: 'stale', byTag: true },
    ]);
    const totals = totalsOf([result]);
    expect(succeeded(totals)).toBe(true);
    expect(formatSummary(totals, 1000)).toBe(
      '3 URLs (1 through tags): 1 invalidated, 0 not in cache, 1 removed, 1 marked stale, 0 failed in 1.00 s.',
    );
    expect(result.urls.map(formatUrlResult)).toEqual(['  removed       /gone', '  invalidated   /a', '  marked stale  /p/9 (by tag)']);
  });

  it('reports a tag the server could not look up as a failed tag', () => {
    const result = batchResult(
      { urls: ['/a'], tags: ['posts'] },
      {
        ok: true,
        attempts: 1,
        value: { invalidated: ['/a'], notInCache: [], failed: { 'tag:posts': 'cache unavailable: ECONNREFUSED' }, removed: [], stale: [] },
      },
    );
    expect(result).toEqual({
      urls: [{ url: '/a', status: 'invalidated', byTag: false }],
      tagFailures: [{ tag: 'posts', reason: 'the server could not look it up: cache unavailable: ECONNREFUSED' }],
    });
    expect(succeeded(totalsOf([result]))).toBe(false);
  });

  it('fails every URL and tag of a batch whose request failed', () => {
    const result = batchResult({ urls: ['/a'], tags: ['posts'] }, { ok: false, attempts: 3, reason: 'timeout' });
    expect(result).toEqual({
      urls: [{ url: '/a', status: 'failed', reason: 'timeout', byTag: false }],
      tagFailures: [{ tag: 'posts', reason: 'timeout' }],
    });
    expect(succeeded(totalsOf([result]))).toBe(false);
  });
});
