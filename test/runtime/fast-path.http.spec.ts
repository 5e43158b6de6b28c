import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { FileSystemCacheHandler } from '../../runtime/cache/filesystem-cache-handler.js';
import { MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';
import { RedisCacheHandler } from '../../runtime/cache/redis-cache-handler.js';
import { adminClient, startOwnRedis, uniquePrefix } from './cache/support/redis-server.js';
import { ISRHandler } from '../../runtime/isr-handler.js';
import type { ISREvent } from '../../runtime/render/isr-events.js';
import { TestClock } from './support/test-clock.js';
import { renderNumber, TestEngine } from './support/test-engine.js';
import { rawRequest, startServer, type RawResponse, type ServerSetup, type TestServer } from './support/test-server.js';

/**
 * `isr.fastPath(app)`: the server listens through the fast path, so every answer tells who wrote
 * it: Express sets `X-Powered-By` on every request its router sees, the fast path never does.
 */
const byExpress = (response: RawResponse) => response.headers['x-powered-by'] === 'Express';

const isRegeneration = (key: string) => (event: ISREvent) => event.type === 'regeneration' && event.key === key && event.ok === true;

/** Headers that differ between two answers of the same page for reasons other than the path taken. */
const PER_ANSWER = new Set(['date', 'x-powered-by', 'connection', 'keep-alive']);

function comparableHeaders(response: RawResponse): Record<string, unknown> {
  return Object.fromEntries(Object.entries(response.headers).filter(([name]) => !PER_ANSWER.has(name)));
}

describe('isr.fastPath(app) over HTTP (Express 5, 127.0.0.1)', () => {
  let server: TestServer;
  let engine: TestEngine;
  let clock: TestClock;

  afterEach(async () => {
    await server?.close();
  });

  async function start(extra: Partial<Parameters<typeof startServer>[0]> = {}, setup: ServerSetup = {}) {
    engine = new TestEngine().route('/blog/a', { revalidate: 60 }).route('/zero', { revalidate: 0 });
    clock = new TestClock();
    server = await startServer({ engine, invalidateSecretToken: 's3cret', now: clock.now, retry: { initialDelayMs: 1 }, ...extra }, false, {
      fastPath: true,
      ...setup,
    });
    return server;
  }

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    rawRequest(server.base + path, { method, headers: { 'accept-encoding': 'identity', ...headers } });

  it('answers a HIT before the router runs, with the headers the middleware sends; a MISS goes to the app', async () => {
    await start();
    const miss = await get('/blog/a');
    expect([miss.status, miss.headers['x-isr-cache'], byExpress(miss)]).toEqual([200, 'MISS', true]);
    const hit = await get('/blog/a');
    expect([hit.status, hit.headers['x-isr-cache'], byExpress(hit), renderNumber(hit.body.toString())]).toEqual([200, 'HIT', false, 1]);
    expect(hit.headers['cache-status']).toBe('ng-isr; hit; ttl=60');
    expect(hit.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=60');
    expect(hit.headers['content-length']).toBe(String(hit.body.length));
    expect(hit.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(hit.headers['vary']).toBe('Accept-Encoding');
    expect(engine.renders('/blog/a')).toBe(1);
    expect(server.isr.metrics.snapshot().answers).toMatchObject({ MISS: 1, HIT: 1 });
  });

  it('sends exactly the headers the middleware sends for the same entry (identity, br, gzip, 304, HEAD)', async () => {
    const cache = new MemoryCacheHandler();
    await start({ cache, cdn: { tagHeader: 'cloudflare' } });
    const plain = await startServer({ engine, cache, now: clock.now, cdn: { tagHeader: 'cloudflare' } });
    try {
      await get('/blog/a');
      const variants: Array<[Record<string, string>, string?]> = [
        [{ 'accept-encoding': 'identity' }],
        [{ 'accept-encoding': 'gzip, deflate, br' }],
        [{ 'accept-encoding': 'gzip' }],
        [{ 'accept-encoding': 'br' }, 'HEAD'],
      ];
      for (const [headers, method = 'GET'] of variants) {
        const fast = await get('/blog/a', headers, method);
        const middleware = await rawRequest(plain.base + '/blog/a', { method, headers });
        expect([byExpress(fast), byExpress(middleware)]).toEqual([false, true]);
        expect(comparableHeaders(fast)).toEqual(comparableHeaders(middleware));
        expect(fast.body.equals(middleware.body)).toBe(true);
        const etag = fast.headers.etag as string;
        const notModified = await get('/blog/a', { ...headers, 'if-none-match': etag });
        const middlewareNotModified = await rawRequest(plain.base + '/blog/a', { headers: { ...headers, 'if-none-match': etag } });
        expect([notModified.status, byExpress(notModified), notModified.body.length]).toEqual([304, false, 0]);
        expect(comparableHeaders(notModified)).toEqual(comparableHeaders(middlewareNotModified));
      }
    } finally {
      await plain.close();
    }
  });

  it('negotiates br and gzip from the stored variants, and answers HEAD without a body', async () => {
    await start();
    const identity = await get('/blog/a');
    const br = await get('/blog/a', { 'accept-encoding': 'gzip;q=0.5, br' });
    const gzip = await get('/blog/a', { 'accept-encoding': 'gzip' });
    const refused = await get('/blog/a', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect([br.headers['content-encoding'], gzip.headers['content-encoding'], refused.headers['content-encoding']]).toEqual([
      'br',
      'gzip',
      undefined,
    ]);
    expect([br, gzip, refused].every((response) => !byExpress(response) && response.headers['x-isr-cache'] === 'HIT')).toBe(true);
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true);
    expect(refused.body.equals(identity.body)).toBe(true);
    expect(new Set([identity.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
    const head = await get('/blog/a', { 'accept-encoding': 'br' }, 'HEAD');
    expect([head.status, head.headers['x-isr-cache'], byExpress(head), head.body.length]).toEqual([200, 'HIT', false, 0]);
    expect(head.headers['content-length']).toBe(br.headers['content-length']);
  });

  it('answers STALE and schedules one background regeneration, as the middleware does', async () => {
    await start();
    await get('/blog/a');
    clock.advance(61_000);
    const stale = await get('/blog/a');
    expect([stale.headers['x-isr-cache'], byExpress(stale), renderNumber(stale.body.toString())]).toEqual(['STALE', false, 1]);
    expect(stale.headers['cache-status']).toBe('ng-isr; fwd=stale; ttl=-1');
    expect(stale.headers['cache-control']).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=60');
    await server.waitForEvent(isRegeneration('/blog/a'));
    const fresh = await get('/blog/a');
    expect([fresh.headers['x-isr-cache'], byExpress(fresh), renderNumber(fresh.body.toString())]).toEqual(['HIT', false, 2]);
    expect(engine.renders('/blog/a')).toBe(2);
    expect(server.isr.metrics.snapshot().answers).toMatchObject({ STALE: 1 });
  });

  it('serves revalidate: 0 pages as HITs without ttl, asking caches to revalidate', async () => {
    await start();
    await get('/zero');
    const hit = await get('/zero');
    expect([hit.headers['x-isr-cache'], byExpress(hit), hit.headers['cache-status']]).toEqual(['HIT', false, 'ng-isr; hit']);
    expect(hit.headers['cache-control']).toBe('public, max-age=0, s-maxage=0, must-revalidate');
  });

  it('hands credentials, POST, PUT, unknown query parameters and unusual paths to the app', async () => {
    await start({ credentialCookies: ['session'] });
    engine.route('/blog//a', { revalidate: 60 });
    await get('/blog/a');
    const bypasses = [
      await get('/blog/a', { authorization: 'Bearer x' }),
      await get('/blog/a', { cookie: 'theme=dark; session=1' }),
      await get('/blog/a?page=2'),
      await get('/blog//a'),
      await get('/blog/a', {}, 'POST'),
      await get('/blog/a', {}, 'PUT'),
    ];
    expect(bypasses.map((response) => [response.headers['x-isr-cache'], byExpress(response)])).toEqual(
      bypasses.map(() => ['BYPASS', true]),
    );
    expect(bypasses[0].headers['cache-status']).toBe('ng-isr; fwd=bypass; detail="credentials"');
    // A cookie the handler does not count as a credential keeps the HIT.
    const theme = await get('/blog/a', { cookie: 'theme=dark' });
    expect([theme.headers['x-isr-cache'], byExpress(theme)]).toEqual(['HIT', false]);
  });

  it('uses the one key of the middleware: tracking parameters dropped, canonical path, allowed query', async () => {
    await start({ allowedQueryParams: ['page'] });
    engine.route('/list', { revalidate: 60 });
    await get('/blog/a');
    for (const path of ['/blog/a?utm_source=x', '/blog/%61', '/blog/a/', '/blog/a?fbclid=1&gclid=2']) {
      const response = await get(path);
      expect([path, response.headers['x-isr-cache'], byExpress(response), renderNumber(response.body.toString())]).toEqual([
        path,
        'HIT',
        false,
        1,
      ]);
    }
    expect((await get('/list?page=2')).headers['x-isr-cache']).toBe('MISS');
    const page2 = await get('/list?utm_medium=y&page=2');
    expect([page2.headers['x-isr-cache'], byExpress(page2)]).toEqual(['HIT', false]);
    expect((await get('/list?page=3')).headers['x-isr-cache']).toBe('MISS');
    expect(engine.renders('/blog/a')).toBe(1);
  });

  it('lets the middleware answer a malformed Host or Forwarded header with 400', async () => {
    await start();
    await get('/blog/a');
    const badHost = await get('/blog/a', { host: 'localhost/drafts?' });
    const badForwarded = await get('/blog/a', { forwarded: 'host="a b"' });
    expect([badHost.status, byExpress(badHost), badForwarded.status, byExpress(badForwarded)]).toEqual([400, true, 400, true]);
  });

  it("judges X-Forwarded-* by the app's trust proxy, with per-host keys", async () => {
    await start({ hostKeys: true, allowedHosts: ['a.example', 'b.example'] }, { configure: (app) => app.set('trust proxy', 'loopback') });
    engine.route('/public', { revalidate: 60 });
    const viaProxy = { host: 'a.example', 'x-forwarded-host': 'b.example', 'x-forwarded-proto': 'https' };
    expect((await get('/public', { host: 'a.example' })).headers['x-isr-cache']).toBe('MISS');
    expect((await get('/public', viaProxy)).headers['x-isr-cache']).toBe('MISS');
    const b = await get('/public', viaProxy);
    const a = await get('/public', { host: 'a.example' });
    expect([b.headers['x-isr-cache'], byExpress(b), renderNumber(b.body.toString())]).toEqual(['HIT', false, 2]);
    expect([a.headers['x-isr-cache'], byExpress(a), renderNumber(a.body.toString())]).toEqual(['HIT', false, 1]);
    const offList = await get('/public', { host: 'a.example', 'x-forwarded-host': 'evil.example' });
    expect([offList.headers['x-isr-cache'], byExpress(offList)]).toEqual(['BYPASS', true]);
    const malformed = await get('/public', { host: 'a.example', 'x-forwarded-host': 'b.example/x?' });
    expect([malformed.status, byExpress(malformed)]).toEqual([400, true]);
  });

  it('ignores X-Forwarded-Host when the app does not trust proxies', async () => {
    await start({ hostKeys: true, allowedHosts: ['a.example', 'b.example'] });
    engine.route('/public', { revalidate: 60 });
    await get('/public', { host: 'a.example' });
    const spoofed = await get('/public', { host: 'a.example', 'x-forwarded-host': 'b.example/x?' });
    expect([spoofed.status, spoofed.headers['x-isr-cache'], byExpress(spoofed)]).toEqual([200, 'HIT', false]);
  });

  it('serves the entries of this build only (build-id namespaced keys)', async () => {
    const cache = new MemoryCacheHandler();
    await start({ cache, buildId: 'build-2' });
    await cache.set({ ...(await renderedEntry('/blog/a')), buildId: 'build-1' });
    const other = await get('/blog/a');
    expect([other.headers['x-isr-cache'], byExpress(other)]).toEqual(['MISS', true]);
    expect(await cache.get('@build-2|/blog/a')).toBeDefined();
    const own = await get('/blog/a');
    expect([own.headers['x-isr-cache'], byExpress(own), renderNumber(own.body.toString())]).toEqual(['HIT', false, 1]);
  });

  it('serves the new page at once after an invalidation through the app', async () => {
    await start();
    await get('/blog/a');
    const response = await fetch(`${server.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify({ urlsToInvalidate: ['/blog/a'] }),
    });
    expect([response.status, response.headers.get('x-powered-by')]).toEqual([200, 'Express']);
    const fresh = await get('/blog/a');
    expect([fresh.headers['x-isr-cache'], byExpress(fresh), renderNumber(fresh.body.toString())]).toEqual(['HIT', false, 2]);
  });

  it('logs the startup warnings at the first request it answers', async () => {
    await start({ invalidateSecretToken: undefined });
    expect(server.logger.at('warn')).toEqual([]);
    await get('/blog/a');
    expect(server.logger.at('warn').some((line) => line.includes('ISR_INVALIDATE_TOKEN') || line.includes('token'))).toBe(true);
  });

  it.each([
    ['with its memory layer (answered synchronously)', {}],
    ['without a memory layer (the lookup is awaited)', { memoryLayer: false as const }],
  ])('answers HITs from the filesystem tier %s', async (_name, options) => {
    const directory = mkdtempSync(join(tmpdir(), 'ng-isr-fast-path-'));
    try {
      await start({ cache: new FileSystemCacheHandler({ directory, fsync: false, ...options }) });
      expect((await get('/blog/a')).headers['x-isr-cache']).toBe('MISS');
      const hit = await get('/blog/a', { 'accept-encoding': 'br' });
      expect([hit.headers['x-isr-cache'], byExpress(hit), hit.headers['content-encoding']]).toEqual(['HIT', false, 'br']);
      expect(renderNumber(brotliDecompressSync(hit.body).toString())).toBe(1);
      const missing = await get('/nowhere');
      expect([missing.status, byExpress(missing)]).toEqual([404, true]);
    } finally {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('answers Redis HITs (default settings) from the in-process copy without a round trip, coherent with another instance', async () => {
    const redis = await startOwnRedis();
    const admin = await adminClient(redis.url);
    const keyPrefix = uniquePrefix('fast-path');
    let peer: TestServer | undefined;
    const redisGets = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
    try {
      await start({ cache: new RedisCacheHandler({ url: redis.url, keyPrefix }) });
      const peerCache = new RedisCacheHandler({ url: redis.url, keyPrefix });
      peer = await startServer({ engine, cache: peerCache, invalidateSecretToken: 's3cret', now: clock.now }, false, { fastPath: true });
      expect((await get('/blog/a')).headers['x-isr-cache']).toBe('MISS');
      // The copy fills once the invalidation subscription holds; from then on a HIT sends Redis nothing.
      let withoutRoundTrip = false;
      for (let attempt = 0; attempt < 50 && !withoutRoundTrip; attempt++) {
        const before = await redisGets();
        const hit = await get('/blog/a');
        expect([hit.headers['x-isr-cache'], byExpress(hit), renderNumber(hit.body.toString())]).toEqual(['HIT', false, 1]);
        withoutRoundTrip = (await redisGets()) === before;
        if (!withoutRoundTrip) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(withoutRoundTrip).toBe(true);
      const invalidated = await fetch(`${peer.base}/api/invalidate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
        body: JSON.stringify({ urlsToInvalidate: ['/blog/a'] }),
      });
      expect(await invalidated.json()).toMatchObject({ invalidated: ['/blog/a'] });
      // The peer's message drops this instance's copy: the next answers show the new render.
      let seen = 1;
      for (let attempt = 0; attempt < 100 && seen === 1; attempt++) {
        seen = renderNumber((await get('/blog/a')).body.toString());
        if (seen === 1) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toBe(2);
    } finally {
      await peer?.close();
      await server.close();
      await admin.quit();
      await redis.dispose();
    }
  });

  it('hands requests to the app with next(), as createNodeRequestHandler and dev servers call it', async () => {
    engine = new TestEngine().route('/blog/a', { revalidate: 60 });
    const isr = new ISRHandler({ engine, buildId: false, logger: false });
    const app = express();
    app.get('/api/hello', (_req, res) => {
      res.send('hello');
    });
    app.use((req, res, next) => isr.handle(req, res, next));
    const listener = isr.fastPath(app);
    // An outer server (Vite's middleware stack, a serverless adapter) passing its own `next`.
    const outer: Server = createServer((req, res) => listener(req, res, () => res.writeHead(404).end('outer next')));
    await new Promise<void>((resolve) => outer.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(outer.address() as AddressInfo).port}`;
    try {
      expect((await rawRequest(`${base}/blog/a`)).headers['x-isr-cache']).toBe('MISS');
      const hit = await rawRequest(`${base}/blog/a`);
      expect([hit.headers['x-isr-cache'], byExpress(hit)]).toEqual(['HIT', false]);
      expect((await rawRequest(`${base}/api/hello`)).body.toString()).toBe('hello');
      const none = await rawRequest(`${base}/none`);
      expect([none.status, none.body.toString()]).toEqual([404, 'outer next']);
    } finally {
      outer.closeAllConnections();
      await new Promise((resolve) => outer.close(resolve));
      await isr.close();
    }
  });

  it('reports a listen error to the callback, as Express 5 does', async () => {
    engine = new TestEngine();
    const isr = new ISRHandler({ engine, buildId: false, logger: false });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const error = await new Promise<Error | undefined>((resolve) => isr.fastPath(express()).listen(port, '127.0.0.1', resolve));
      expect((error as NodeJS.ErrnoException | undefined)?.code).toBe('EADDRINUSE');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  /** An entry as the handler stores it, rendered by a throwaway handler. */
  async function renderedEntry(path: string) {
    const cache = new MemoryCacheHandler();
    const other = await startServer({ engine: new TestEngine().route(path, { revalidate: 60 }), cache });
    try {
      await rawRequest(other.base + path);
      const entry = await cache.get(path);
      if (entry === undefined) throw new Error(`no entry for ${path}`);
      return entry;
    } finally {
      await other.close();
    }
  }
});
