import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { CacheEntry, CacheHandler } from '../../../runtime/cache/cache-handler.js';
import { MemoryCacheHandler } from '../../../runtime/cache/memory-cache-handler.js';
import { DEFAULT_CREDENTIAL_COOKIES } from '../../../runtime/isr-handler-options.js';
import { TestEngine, type TestRoute } from '../support/test-engine.js';
import { rawRequest } from '../support/test-server.js';
import { startApp, type AppSetup, type IntegrityApp } from './support/integrity-app.js';

/**
 * Rules 3 (Vary), 7 (personal requests), 8 (content negotiation) and `Cache-Status` (#18 §2),
 * plus HEAD / 304 on STALE and BYPASS answers and `serveFromCache` refusals (#16 items 8, 10).
 */

let app: IntegrityApp;
let engine: TestEngine;

async function start(routes: Record<string, TestRoute>, extra: Partial<Parameters<typeof startApp>[0]> = {}, setup: AppSetup = {}) {
  engine = new TestEngine();
  for (const [path, route] of Object.entries(routes)) {
    engine.route(path, route);
  }
  app = await startApp({ engine, retry: { initialDelayMs: 60_000 }, ...extra }, setup);
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return rawRequest(app.base + path, { headers, method });
}

async function backdate(cache: CacheHandler, key: string): Promise<void> {
  const entry = (await cache.get(key)) as CacheEntry;
  await cache.set({ ...entry, createdAt: entry.createdAt - 3_600_000 });
}

afterEach(async () => {
  await app?.close();
});

describe('Vary is honoured (rule 3)', () => {
  it.each([
    ['Accept-Language', 'vary'],
    ['Cookie', 'vary'],
    ['accept-encoding, User-Agent', 'vary'],
    ['*', 'vary'],
    ['X-Theme', 'vary'],
  ])('does not store a page that varies on %s', async (vary) => {
    await start({ '/fr': { revalidate: 60, headers: { vary } } });
    const first = await get('/fr', { 'accept-language': 'fr' });
    const second = await get('/fr');
    expect([first.headers['x-isr-cache'], second.headers['x-isr-cache']]).toEqual(['BYPASS', 'BYPASS']);
    expect(first.headers['cache-status']).toBe('ng-isr; fwd=miss; detail="vary"');
    expect(first.headers['vary']).toBe(vary);
    expect(await app.isr.cache.get('/fr')).toBeUndefined();
    // Each visitor's page is rendered from their own request.
    expect(engine.requests.at(-1)?.nodeRequest).toBeDefined();
  });

  it('stores a page that varies on Accept-Encoding only, and sends Vary on every HIT (also 304 and HEAD)', async () => {
    await start({ '/v': { revalidate: 60, headers: { vary: 'Accept-Encoding' } }, '/tiny': { revalidate: 60 } });
    const miss = await get('/v', { 'accept-encoding': 'gzip' });
    const hit = await get('/v');
    const notModified = await get('/v', { 'if-none-match': String(hit.headers['etag']) });
    const head = await get('/v', {}, 'HEAD');
    expect([miss, hit, notModified, head].map((r) => [r.status, r.headers['x-isr-cache'], r.headers['vary']])).toEqual([
      [200, 'MISS', 'Accept-Encoding'],
      [200, 'HIT', 'Accept-Encoding'],
      [304, 'HIT', 'Accept-Encoding'],
      [200, 'HIT', 'Accept-Encoding'],
    ]);
  });
});

describe('personal requests never touch the shared cache (rule 7)', () => {
  beforeEach(async () => {
    await start({ '/p': { revalidate: 60 } });
    await get('/p');
  });

  it.each([
    'SESSION=1',
    'session=1',
    'JSESSIONID=abc',
    'jsessionid=abc',
    'PHPSESSID=abc',
    'connect.sid=s%3Aabc',
    'CONNECT.SID=abc',
    'ASP.NET_SessionId=abc',
    '.AspNetCore.Cookies=abc',
    '_myshop_session=abc',
    'laravel_session=abc',
    'next-auth.session-token=abc',
    '__Secure-next-auth.session-token=abc',
    'authjs.session-token=abc',
    '__session=abc',
    'sb-abcdef-auth-token=abc',
    'wordpress_logged_in_0123abcd=abc',
    'KEYCLOAK_SESSION=abc',
    '__Host-anything=1',
    '__secure-anything=1',
    'theme=dark; sessionid=abc',
    'a=1;JSESSIONID=2',
  ])('bypasses with Cookie %j (private answer, own render)', async (cookie) => {
    const answer = await get('/p', { cookie });
    expect([answer.headers['x-isr-cache'], answer.headers['cache-status'], answer.headers['cache-control']]).toEqual([
      'BYPASS',
      'ng-isr; fwd=bypass; detail="credentials"',
      'private, no-store',
    ]);
    expect(engine.requests.at(-1)?.headers['cookie']).toBe(cookie);
  });

  it.each([
    ['authorization', 'Bearer x'],
    ['authorization', 'Basic eDp5'],
    ['proxy-authorization', 'Basic eDp5'],
  ])('bypasses with %s', async (name, value) => {
    expect((await get('/p', { [name]: value })).headers['x-isr-cache']).toBe('BYPASS');
  });

  it.each(['theme=dark', 'XSRF-TOKEN=abc', '_ga=GA1.1.1', 'csrftoken=abc', 'cookieconsent_status=dismiss'])(
    'serves the shared page with an anonymous cookie %j',
    async (cookie) => {
      expect((await get('/p', { cookie })).headers['x-isr-cache']).toBe('HIT');
    },
  );

  it('documents its default list without duplicates', () => {
    expect(new Set(DEFAULT_CREDENTIAL_COOKIES.map((name) => name.toLowerCase())).size).toBe(DEFAULT_CREDENTIAL_COOKIES.length);
  });

  it('matches configured names case-insensitively with * wildcards', async () => {
    await app.close();
    await start({ '/p': { revalidate: 60 } }, { credentialCookies: ['MySess', 'acme_*_auth'] });
    await get('/p');
    expect((await get('/p', { cookie: 'mysess=1' })).headers['x-isr-cache']).toBe('BYPASS');
    expect((await get('/p', { cookie: 'ACME_eu_AUTH=1' })).headers['x-isr-cache']).toBe('BYPASS');
    expect((await get('/p', { cookie: 'acme_auth=1' })).headers['x-isr-cache']).toBe('HIT');
    // Only the configured list (plus __Host-/__Secure-): JSESSIONID is not in it.
    expect((await get('/p', { cookie: 'JSESSIONID=1' })).headers['x-isr-cache']).toBe('HIT');
  });
});

describe('content negotiation per RFC 9110 (rule 8)', () => {
  beforeEach(async () => {
    await start({ '/z': { revalidate: 60 } });
    await get('/z');
  });

  it.each<[string, string | undefined]>([
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0', undefined],
    ['BR;Q=0, GZIP', 'gzip'],
    ['br ; q=0 , gzip', 'gzip'],
    ['gzip ;q=0', undefined],
    ['gzip;Q=0', undefined],
    ['gzip;q=0.000', undefined],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['*, br;q=0', 'gzip'],
    ['identity;q=0, gzip', 'gzip'],
    ['deflate', undefined],
    ['', undefined],
    ['gzip;q=0.5, identity', undefined],
  ])('Accept-Encoding %j -> %s', async (acceptEncoding, expected) => {
    const answer = await get('/z', { 'accept-encoding': acceptEncoding });
    expect(answer.headers['content-encoding']).toBe(expected);
    const body = expected === 'br' ? brotliDecompressSync(answer.body) : expected === 'gzip' ? gunzipSync(answer.body) : answer.body;
    expect(body.toString()).toContain('render #1');
  });

  it('sends the identity body with compress: false whatever the client accepts', async () => {
    await app.close();
    await start({ '/z': { revalidate: 60 } }, { compress: false });
    await get('/z');
    const answer = await get('/z', { 'accept-encoding': 'br, gzip' });
    expect([answer.headers['x-isr-cache'], answer.headers['content-encoding'], answer.headers['vary']]).toEqual([
      'HIT',
      undefined,
      undefined,
    ]);
  });
});

describe('Cache-Status (RFC 9211)', () => {
  it('says hit with ttl, fwd=miss; stored, fwd=stale with a negative ttl, fwd=bypass with a reason', async () => {
    await start({ '/c': { revalidate: 60 }, '/plain': {}, '/zero': { revalidate: 0 } });
    const miss = await get('/c');
    const hit = await get('/c');
    expect(miss.headers['cache-status']).toBe('ng-isr; fwd=miss; stored');
    expect(hit.headers['cache-status']).toMatch(/^ng-isr; hit; ttl=(59|60)$/);
    await backdate(app.isr.cache, '/c');
    const stale = await get('/c');
    expect([stale.headers['x-isr-cache'], stale.headers['cache-status']]).toEqual([
      'STALE',
      expect.stringMatching(/^ng-isr; fwd=stale; ttl=-354[01]$/),
    ]);
    expect((await get('/c?debug=1')).headers['cache-status']).toBe('ng-isr; fwd=bypass; detail="query parameter"');
    expect((await get('/c', {}, 'POST')).headers['cache-status']).toBe('ng-isr; fwd=bypass; detail="method"');
    expect((await get('/plain')).headers['cache-status']).toBe('ng-isr; fwd=miss; detail="no revalidate"');
    expect((await get('/plain')).headers['cache-status']).toBe('ng-isr; fwd=bypass; detail="no revalidate"');
    await get('/zero');
    expect((await get('/zero')).headers['cache-status']).toBe('ng-isr; hit');
  });

  it('never echoes request text into the header', async () => {
    await start({ '/c': { revalidate: 60 } });
    const answer = await get('/c?%22%3B%20x%3D1=evil');
    expect(answer.headers['cache-status']).toBe('ng-isr; fwd=bypass; detail="query parameter"');
  });

  it('leaves the detail out with cacheStatusDetail: false', async () => {
    await start({ '/c': { revalidate: 60 } }, { cacheStatusDetail: false });
    expect((await get('/c?debug=1')).headers['cache-status']).toBe('ng-isr; fwd=bypass');
    expect((await get('/c', { cookie: 'sid=1' })).headers['cache-status']).toBe('ng-isr; fwd=bypass');
  });

  it('reports a cache outage: the page is rendered once and kept in-process, not stored in the tier', async () => {
    const broken = new MemoryCacheHandler();
    broken.get = async () => {
      throw new Error('down');
    };
    broken.set = async () => {
      throw new Error('down');
    };
    await start({ '/c': { revalidate: 60 } }, { cache: broken });
    const answer = await get('/c');
    expect([answer.headers['x-isr-cache'], answer.headers['cache-status']]).toEqual([
      'MISS',
      'ng-isr; fwd=miss; detail="cache unavailable"',
    ]);
  });
});

describe('HEAD and 304 on STALE and BYPASS answers', () => {
  it('answers HEAD and If-None-Match on a STALE entry (one regeneration) without a body', async () => {
    await start({ '/s': { revalidate: 60 } });
    const miss = await get('/s');
    await backdate(app.isr.cache, '/s');
    engine.route('/s', { revalidate: 60, delayMs: 200 });
    const head = await get('/s', {}, 'HEAD');
    const notModified = await get('/s', { 'if-none-match': String(miss.headers['etag']) });
    expect([head.status, head.headers['x-isr-cache'], head.body.length, Number(head.headers['content-length'])]).toEqual([
      200,
      'STALE',
      0,
      miss.body.length,
    ]);
    expect([notModified.status, notModified.headers['x-isr-cache'], notModified.body.length]).toEqual([304, 'STALE', 0]);
    expect(notModified.headers['cache-control']).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=60');
    await app.isr.idle();
    expect(engine.renders('/s')).toBe(2);
  });

  it('answers HEAD on a BYPASS render without a body', async () => {
    await start({ '/b': {} });
    const head = await get('/b?x=1', {}, 'HEAD');
    expect([head.status, head.headers['x-isr-cache'], head.body.length]).toEqual([200, 'BYPASS', 0]);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });
});

describe('serveFromCache refusals (#16 item 8)', () => {
  beforeEach(async () => {
    await start({ '/f': { revalidate: 60 } }, {}, { serveFromCache: true });
    await get('/f');
    engine.requests.length = 0;
  });

  it('serves a cached page', async () => {
    expect((await get('/f')).headers['x-isr-cache']).toBe('HIT');
    expect(engine.renders()).toBe(1);
  });

  it.each<[string, Record<string, string>, string]>([
    ['a POST', {}, 'POST'],
    ['credentials', { cookie: 'JSESSIONID=1' }, 'GET'],
    ['Authorization', { authorization: 'Bearer x' }, 'GET'],
    ['a malformed Host', { host: 'localhost/x?' }, 'GET'],
  ])('passes %s on to the next middleware', async (_name, headers, method) => {
    const answer = await get('/f', headers, method);
    // The page middleware after it answers (BYPASS render) or refuses (400); never a HIT.
    expect(answer.headers['x-isr-cache']).not.toBe('HIT');
  });

  it('passes on when the cache fails or holds another build’s entry', async () => {
    await app.close();
    const cache = new MemoryCacheHandler();
    // The previous build stores /f in the shared tier...
    await start({ '/f': { revalidate: 60 } }, { cache, buildId: 'old' }, { serveFromCache: true });
    expect((await get('/f')).headers['x-isr-cache']).toBe('MISS');
    await app.close();
    // ...which the new build never serves: serveFromCache passes on and the page middleware renders.
    await start({ '/f': { revalidate: 60 } }, { cache, buildId: 'new' }, { serveFromCache: true });
    const other = await get('/f');
    expect(other.headers['x-isr-cache']).toBe('MISS');
    cache.get = async () => {
      throw new Error('down');
    };
    // Reads fail: the page this instance just served is answered from its in-process outage copy.
    const during = await get('/f');
    expect([during.status, during.headers['x-isr-cache'], during.body]).toEqual([200, 'HIT', other.body]);
  });
});
