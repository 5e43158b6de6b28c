import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { brotliParamsFor, buildEntry, compressVariants, etagOf, storableHeaders } from '../../runtime/cache/entry-builder.js';
import { whyNotStorable } from '../../runtime/render/cacheability.js';

const html = Buffer.from(`<html><body><app-root ng-server-context="ssr">${'<p>hello world</p>'.repeat(100)}</app-root></body></html>`);

describe('stored entries', () => {
  it('keeps page headers (lower-cased) and drops per-response and hop-by-hop ones', () => {
    expect(
      storableHeaders({
        'Content-Type': 'text/html',
        'Content-Language': 'en',
        Link: ['</a.css>; rel=preload', '</b.js>; rel=modulepreload'],
        'Set-Cookie': ['a=1'],
        'Content-Length': '10',
        'Content-Encoding': 'gzip',
        Connection: 'keep-alive',
        Date: 'now',
        ETag: '"x"',
        Vary: 'Accept-Encoding',
        'X-ISR-Cache': 'MISS',
        'x-empty': undefined,
      }),
    ).toEqual({
      'content-type': 'text/html',
      'content-language': 'en',
      link: '</a.css>; rel=preload, </b.js>; rel=modulepreload',
      // Stored so that every HIT sends it (only dimensions the cache serves itself get this far).
      vary: 'Accept-Encoding',
    });
  });

  it('prepares br and gzip variants once, only when they are smaller', async () => {
    const variants = await compressVariants(html);
    expect(brotliDecompressSync(variants.br as Buffer).equals(html)).toBe(true);
    expect(gunzipSync(variants.gzip as Buffer).equals(html)).toBe(true);
    expect(await compressVariants(Buffer.from('tiny'))).toEqual({});
    // Truly incompressible bytes (a modular sequence compresses well): neither variant is kept.
    const random = randomBytes(2000);
    expect(await compressVariants(random)).toEqual({});
  });

  it('sizes the brotli window to the page and lowers the quality only for large pages', async () => {
    const params = (length: number) => brotliParamsFor(length);
    const { BROTLI_PARAM_LGWIN: lgwin, BROTLI_PARAM_QUALITY: quality } = zlibConstants;
    expect(params(20_000)[lgwin]).toBe(16);
    expect(params(20_000)[quality]).toBe(9);
    expect(params(64 * 1024)[quality]).toBe(9);
    expect(params(64 * 1024 + 1)[lgwin]).toBe(17);
    expect(params(64 * 1024 + 1)[quality]).toBe(6);
    expect(params(300 * 1024)[lgwin]).toBe(19);
    expect(params(1024 ** 3)[lgwin]).toBe(24);
    // A large page still round-trips through both variants, each smaller than the body.
    const large = Buffer.from(Array.from({ length: 6000 }, (_, i) => `<p class="c${i % 13}">item ${i * 7919} of the list</p>`).join(''));
    expect(large.length).toBeGreaterThan(128 * 1024);
    const variants = await compressVariants(large);
    expect(brotliDecompressSync(variants.br!).equals(large)).toBe(true);
    expect(gunzipSync(variants.gzip!).equals(large)).toBe(true);
    expect(variants.br!.length).toBeLessThan(large.length / 2);
  });

  it('derives a strong, content-based ETag', () => {
    expect(etagOf(html)).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(etagOf(html)).toBe(etagOf(Buffer.from(html)));
    expect(etagOf(html)).not.toBe(etagOf(Buffer.concat([html, Buffer.from(' ')])));
  });

  it('builds an entry with metadata and unique tags', async () => {
    const entry = await buildEntry({
      key: '/a',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: html,
      revalidate: 30,
      tags: ['x', 'y', 'x'],
      buildId: 'b1',
      compress: false,
      now: 1234,
    });
    expect(entry).toMatchObject({ key: '/a', status: 200, createdAt: 1234, revalidate: 30, tags: ['x', 'y'], buildId: 'b1', variants: {} });
    expect(entry.etag).toBe(etagOf(html));
  });
});

describe('whyNotStorable', () => {
  const page = (overrides: Partial<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> = {}) => ({
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: html,
    ...overrides,
  });

  it('accepts a 200 server render of a route with revalidate', () => {
    expect(whyNotStorable(page(), { revalidate: 0, httpErrors: 0 })).toBeUndefined();
    expect(whyNotStorable(page(), { revalidate: 10 })).toBeUndefined();
  });

  it.each([
    [{ revalidate: undefined }, page(), 'route has no revalidate'],
    [{ revalidate: null }, page(), 'route has no revalidate'],
    [{ revalidate: -1 }, page(), 'route has no revalidate'],
    [{ revalidate: Number.NaN }, page(), 'route has no revalidate'],
    [{ revalidate: 5 }, page({ status: 404 }), 'status 404'],
    [{ revalidate: 5 }, page({ status: 301 }), 'status 301'],
    [{ revalidate: 5 }, page({ headers: { 'Set-Cookie': 'a=1' } }), 'response sets a cookie'],
    [{ revalidate: 5 }, page({ headers: { 'Cache-Control': 'private' } }), 'response is private or no-store'],
    [{ revalidate: 5 }, page({ headers: { 'cache-control': ['public', 'no-store'] } }), 'response is private or no-store'],
    [{ revalidate: 5, httpErrors: 2 }, page(), 'an HttpClient request failed during the render'],
    [{ revalidate: 5 }, page({ body: Buffer.from('<app-root></app-root>') }), 'not a server render (client-side shell)'],
    [
      { revalidate: 5 },
      page({ body: Buffer.from('<app-root ng-server-context="ssg"></app-root>') }),
      'not a server render (client-side shell)',
    ],
  ])('refuses %p (%#) with a reason', (report, rendered, reason) => {
    expect(whyNotStorable(rendered, report)).toBe(reason);
  });
});
