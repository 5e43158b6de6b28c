import { IncomingMessage } from 'node:http';
import type { AngularAppEngineLike } from '../../runtime/engine/angular-app-engine-adapter.js';
import type { CommonEngineLike } from '../../runtime/engine/common-engine-adapter.js';
import type { ISREvent } from '../../runtime/render/isr-events.js';
import { ISRRenderContext, type ISRRenderReport } from '../../runtime/angular/isr-render-context.js';
import { rawRequest, startServer, type TestServer } from './support/test-server.js';

const ALLOWED = new Set(['127.0.0.1', 'localhost']);

function page(marker: boolean, text: string): string {
  return `<!doctype html><html><body><app-root${marker ? ' ng-server-context="ssr"' : ''}>${text}</app-root></body></html>`;
}

/**
 * Shaped like @angular/ssr 21's AngularNodeAppEngine.handle(request, requestContext): takes a
 * Node request or a web Request, validates the host, answers a web Response whose body is a
 * stream, and lets the "app" write into the request context while the stream renders.
 */
class FakeAppEngine implements AngularAppEngineLike {
  readonly inputs: Array<{ kind: 'node' | 'web'; url: string; cookie: string | null; context: unknown }> = [];
  routes: Record<string, { revalidate?: number; status?: number; headers?: HeadersInit; tags?: string[] }> = {};
  private renders = 0;

  async handle(request: IncomingMessage | Request, requestContext?: unknown): Promise<Response | null> {
    const isNode = request instanceof IncomingMessage;
    const url = isNode ? new URL(request.url ?? '/', `http://${request.headers.host}`) : new URL(request.url);
    const cookie = isNode ? (request.headers.cookie ?? null) : request.headers.get('cookie');
    this.inputs.push({ kind: isNode ? 'node' : 'web', url: url.href, cookie, context: requestContext });
    const route = this.routes[url.pathname];
    if (!route) {
      return null;
    }
    if (!ALLOWED.has(url.hostname)) {
      // Angular 21 falls back to the client-side shell for hosts off allowedHosts.
      return new Response(page(false, 'csr shell'), { headers: { 'content-type': 'text/html;charset=UTF-8' } });
    }
    const n = ++this.renders;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // The report lands while the body is produced, as with Angular's streamed SSR body.
        setTimeout(() => {
          const report = requestContext as ISRRenderReport;
          report.revalidate = route.revalidate;
          report.tags = route.tags;
          controller.enqueue(new TextEncoder().encode(page(true, `${url.pathname} #${n} `.repeat(40))));
          controller.close();
        }, 5);
      },
    });
    return new Response(stream, {
      status: route.status ?? 200,
      headers: route.headers ?? { 'content-type': 'text/html;charset=UTF-8', 'content-language': 'en' },
    });
  }
}

describe('engine adapters', () => {
  let server: TestServer;
  const savedHosts = process.env['NG_ALLOWED_HOSTS'];

  afterEach(async () => {
    await server?.close();
    if (savedHosts === undefined) {
      delete process.env['NG_ALLOWED_HOSTS'];
    } else {
      process.env['NG_ALLOWED_HOSTS'] = savedHosts;
    }
  });

  describe('AngularNodeAppEngine shape', () => {
    let engine: FakeAppEngine;

    beforeEach(async () => {
      process.env['NG_ALLOWED_HOSTS'] = '*.example.com,127.0.0.1';
      engine = new FakeAppEngine();
      engine.routes = {
        '/news': { revalidate: 60, tags: ['news'] },
        '/teapot': { revalidate: 60, status: 418 },
        '/headers': {
          revalidate: 60,
          headers: [
            ['content-type', 'text/html'],
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ],
        },
        '/plain': {},
      };
      server = await startServer({ angularAppEngine: engine, invalidateSecretToken: 't' });
    });

    it('renders a MISS from a web Request for origin + key (no visitor cookie), reads the report after the body', async () => {
      const miss = await rawRequest(`${server.base}/news`, { headers: { cookie: 'theme=dark' } });
      expect([miss.status, miss.headers['x-isr-cache'], miss.headers['content-language']]).toEqual([200, 'MISS', 'en']);
      expect(engine.inputs[0]).toMatchObject({ kind: 'web', url: 'http://127.0.0.1/news', cookie: null });
      expect(engine.inputs[0].context).toBeInstanceOf(ISRRenderContext);
      const entry = await server.isr.cache.get('/news');
      expect([entry?.revalidate, entry?.tags]).toEqual([60, ['news']]);
      expect(entry?.headers['content-language']).toBe('en');
      expect((await rawRequest(`${server.base}/news`)).headers['x-isr-cache']).toBe('HIT');
    });

    it('passes cookies on to renders of uncacheable requests', async () => {
      await rawRequest(`${server.base}/plain?q=1`, { headers: { cookie: 'theme=dark' } });
      expect(engine.inputs[0]).toMatchObject({ kind: 'node', cookie: 'theme=dark' });
    });

    it('keeps the Response status and every Set-Cookie header, and stores neither case', async () => {
      const teapot = await rawRequest(`${server.base}/teapot`);
      expect([teapot.status, teapot.headers['x-isr-cache']]).toEqual([418, 'BYPASS']);
      const cookies = await rawRequest(`${server.base}/headers`);
      expect([cookies.status, cookies.headers['x-isr-cache'], cookies.headers['set-cookie']]).toEqual([200, 'BYPASS', ['a=1', 'b=2']]);
      expect(await server.isr.cache.get('/teapot')).toBeUndefined();
      expect(await server.isr.cache.get('/headers')).toBeUndefined();
    });

    it('falls through to next() when the engine answers null', async () => {
      const response = await rawRequest(`${server.base}/unknown`);
      expect([response.status, response.body.toString()]).toEqual([404, 'express 404']);
    });

    it('stores the page of the configured origin whatever Host a visitor sends', async () => {
      const miss = await rawRequest(`${server.base}/news`, { headers: { host: 'attacker.example' } });
      expect([miss.status, miss.headers['x-isr-cache']]).toEqual([200, 'MISS']);
      expect(engine.inputs.map((input) => input.url)).toEqual(['http://127.0.0.1/news']);
      expect((await rawRequest(`${server.base}/news`)).headers['x-isr-cache']).toBe('HIT');
    });

    it('regenerates from a synthetic web Request on the first plain NG_ALLOWED_HOSTS host', async () => {
      await rawRequest(`${server.base}/news`, { headers: { cookie: 'theme=dark', 'x-forwarded-host': 'foo' } });
      const entry = await server.isr.cache.get('/news');
      await server.isr.cache.set({ ...entry!, createdAt: 0 });
      const since = server.events.length;
      expect((await rawRequest(`${server.base}/news`)).headers['x-isr-cache']).toBe('STALE');
      await server.waitForEvent((e: ISREvent) => e.type === 'regeneration' && e.ok, since);
      const regeneration = engine.inputs[engine.inputs.length - 1];
      expect(regeneration).toMatchObject({ kind: 'web', url: 'http://127.0.0.1/news', cookie: null });
      expect(regeneration.context).toBeInstanceOf(ISRRenderContext);
      expect((await server.isr.cache.get('/news'))?.body.toString()).toContain('/news #2');
    });
  });

  it('AngularNodeAppEngine shape: a regenerationOrigin the app refuses gives the shell, which is never stored', async () => {
    process.env['NG_ALLOWED_HOSTS'] = '127.0.0.1';
    const engine = new FakeAppEngine();
    engine.routes = { '/news': { revalidate: 60 } };
    server = await startServer({ angularAppEngine: engine, invalidateSecretToken: 't', regenerationOrigin: 'https://wrong.example' });
    const first = await rawRequest(`${server.base}/news`);
    // The visitor still gets a real page: rendered from their own request, not stored.
    expect([first.status, first.headers['x-isr-cache'], first.headers['cache-status']]).toEqual([
      200,
      'BYPASS',
      'ng-isr; fwd=miss; detail="client shell"',
    ]);
    expect(first.body.toString()).not.toContain('csr shell');
    expect(engine.inputs.map((input) => [input.kind, input.url])).toEqual([
      ['web', 'https://wrong.example/news'],
      ['node', `${server.base}/news`],
    ]);
    expect(await server.isr.cache.get('/news')).toBeUndefined();
    await rawRequest(`${server.base}/news`);
    const warnings = server.logger.at('warn').filter((line) => line.includes('client-side shell'));
    expect(warnings).toEqual([expect.stringContaining('host "wrong.example" is not in allowedHosts / NG_ALLOWED_HOSTS')]);
  });

  it('AngularNodeAppEngine shape: regenerationOrigin overrides the host', async () => {
    delete process.env['NG_ALLOWED_HOSTS'];
    const engine = new FakeAppEngine();
    engine.routes = { '/a': { revalidate: 1 } };
    server = await startServer({ angularAppEngine: engine, invalidateSecretToken: 't', regenerationOrigin: 'http://localhost/' });
    await rawRequest(`${server.base}/a`);
    const result = await fetch(`${server.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify({ urlsToInvalidate: ['/a'] }),
    });
    expect(await result.json()).toEqual({ invalidated: ['/a'], notInCache: [], failed: {}, removed: [], stale: [] });
    expect(engine.inputs[1]).toMatchObject({ kind: 'web', url: 'http://localhost/a' });
  });

  describe('CommonEngine shape', () => {
    it('calls render({ bootstrap, documentFilePath, url, publicPath, providers }) with the context provider', async () => {
      const calls: Array<Record<string, unknown>> = [];
      const bootstrap = (): string => 'app';
      const commonEngine: CommonEngineLike = {
        async render(options) {
          calls.push(options);
          const provider = (options.providers ?? []).find(
            (p): p is { provide: unknown; useValue: ISRRenderReport } => (p as { provide?: unknown }).provide === ISRRenderContext,
          );
          if (provider) {
            provider.useValue.revalidate = options.url?.endsWith('/cached') ? 30 : undefined;
          }
          return page(true, `common ${options.url}`);
        },
      };
      server = await startServer({
        commonEngine,
        bootstrap,
        indexHtml: '/srv/browser/index.server.html',
        browserDistFolder: '/srv/browser',
        invalidateSecretToken: 't',
      });
      const miss = await rawRequest(`${server.base}/cached`);
      const hit = await rawRequest(`${server.base}/cached`);
      const plain = await rawRequest(`${server.base}/plain`);
      expect([miss.headers['x-isr-cache'], hit.headers['x-isr-cache'], plain.headers['x-isr-cache']]).toEqual(['MISS', 'HIT', 'BYPASS']);
      expect(calls[0]).toMatchObject({
        bootstrap,
        documentFilePath: '/srv/browser/index.server.html',
        url: 'http://localhost/cached',
        publicPath: '/srv/browser',
      });
      // Mounted at the root: no APP_BASE_HREF provider is needed (the document's <base href> applies).
      expect(calls[0].providers).toHaveLength(1);
      expect(miss.body.toString()).toContain('common http://localhost/cached');
      // A BYPASS render (never stored) still gets the visitor's own URL.
      expect(calls[2].url).toBe(`${server.base}/plain`);
    });

    it('refuses a CommonEngine without bootstrap, indexHtml or browserDistFolder', async () => {
      const { ISRHandler } = await import('../../runtime/isr-handler.js');
      const commonEngine: CommonEngineLike = { render: async () => '' };
      expect(() => new ISRHandler({ commonEngine, logger: false })).toThrow(/bootstrap, indexHtml and browserDistFolder/);
      expect(() => new ISRHandler({ logger: false })).toThrow(/angularAppEngine/);
    });
  });
});
