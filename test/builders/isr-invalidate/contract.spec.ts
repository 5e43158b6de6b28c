import type { Architect } from '@angular-devkit/architect';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCacheHandler } from '../../../runtime/cache/memory-cache-handler';
import { renderNumber, TestEngine } from '../../runtime/support/test-engine';
import { startServer, type TestServer } from '../../runtime/support/test-server';
import { createArchitect, messagesAt, runTarget, type BuilderRunResult } from './architect-harness';

// The builder against the runtime's own ISRHandler on a real Express server wired like
// `ng add` wires server.ts: the HTTP contract of POST /api/invalidate (docs/on-demand-revalidation.md) end to end.
// TestEngine renders in place of Angular, whose ESM-only packages jest cannot load.
const SERVER_TOKEN = 'srv-token-5b1e0c9d7a3f';
const TOKEN_ENV = 'NG_ISR_CONTRACT_SPEC_TOKEN';
const MAX_URLS = 5;

describe('isr-invalidate builder against the real ISRHandler', () => {
  const engine = new TestEngine();
  let server: TestServer;
  let workspace: string;
  let architect: Architect;

  /** Declares `path` a page cached until invalidated. */
  function page(path: string, tags: string[] = []): string {
    engine.route(path, { revalidate: 0, tags });
    return path;
  }

  /** GETs a page: its x-isr-cache status and the render number it shows. */
  async function visit(path: string): Promise<{ status: string | null; render: number }> {
    const response = await fetch(server.base + path);
    expect(response.status).toBe(200);
    return { status: response.headers.get('x-isr-cache'), render: renderNumber(await response.text()) };
  }

  /** How many invalidate requests the handler answered with 200 (it logs one line each). */
  function answeredInvalidations(): number {
    return server.logger.at('info').filter((line) => line.startsWith('invalidate: ')).length;
  }

  /** Neither the builder nor the server may print the token. */
  function expectNoToken(result: BuilderRunResult): void {
    expect(result.text).not.toContain(SERVER_TOKEN);
    expect(JSON.stringify(result.output)).not.toContain(SERVER_TOKEN);
    expect(JSON.stringify(server.logger.lines)).not.toContain(SERVER_TOKEN);
  }

  beforeAll(async () => {
    server = await startServer({
      engine,
      invalidateSecretToken: SERVER_TOKEN,
      cache: new MemoryCacheHandler(),
      invalidate: { maxUrls: MAX_URLS },
    });
    workspace = mkdtempSync(join(tmpdir(), 'ng-isr-builder-contract-'));
    architect = await createArchitect(workspace, { baseUrl: server.base, tokenEnv: TOKEN_ENV });
  });
  afterAll(async () => {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  });
  beforeEach(() => {
    process.env[TOKEN_ENV] = SERVER_TOKEN;
  });
  afterEach(() => {
    delete process.env[TOKEN_ENV];
  });

  it('reports a cached page as invalidated (and regenerated) and an unknown one as not in cache', async () => {
    page('/blog/first', ['posts']);
    expect(await visit('/blog/first')).toEqual({ status: 'MISS', render: 1 });
    expect(await visit('/blog/first')).toEqual({ status: 'HIT', render: 1 });

    const result = await runTarget(architect, { urls: ['/blog/first', '/never-visited'] });

    expect(result.output).toEqual(expect.objectContaining({ success: true }));
    expect(messagesAt(result, 'info')).toEqual([
      `Invalidating 2 URLs at ${server.base}/api/invalidate.`,
      '  invalidated   /blog/first',
      '  not in cache  /never-visited',
      expect.stringMatching(/^2 URLs: 1 invalidated, 1 not in cache, 0 failed in \d+\.\d\d s\.$/),
    ]);
    expect(result.entries.filter((entry) => entry.level !== 'info')).toEqual([]);
    // Regenerated on demand: the next visitor gets the new render straight from the cache.
    expect(await visit('/blog/first')).toEqual({ status: 'HIT', render: 2 });
    expectNoToken(result);
  });

  it('invalidates every page carrying a tag and marks them as found through the tag', async () => {
    for (const path of [page('/blog/tagged-a', ['posts']), page('/blog/tagged-b', ['posts']), page('/about')]) {
      await visit(path);
    }

    const result = await runTarget(architect, { tags: ['posts'], urls: ['/about'] });

    expect(result.output.success).toBe(true);
    const lines = messagesAt(result, 'info');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  invalidated   /about',
        '  invalidated   /blog/tagged-a (by tag)',
        '  invalidated   /blog/tagged-b (by tag)',
      ]),
    );
    expect(lines.at(-1)).toMatch(/^\d+ URLs \(\d+ through tags\): \d+ invalidated, 0 not in cache, 0 failed in /);
    expect(await visit('/blog/tagged-a')).toEqual({ status: 'HIT', render: 2 });
    expect(await visit('/about')).toEqual({ status: 'HIT', render: 2 });
  });

  it('splits a list longer than the server limit into batches the server accepts', async () => {
    const cached = ['/blog/batch-0', '/blog/batch-1', '/blog/batch-2'].map((path) => page(path));
    for (const path of cached) await visit(path);
    const urls = [...cached, ...Array.from({ length: 9 }, (_, i) => `/unknown/${i}`)];
    writeFileSync(join(workspace, 'pages.txt'), ['# changed in the CMS', ...urls, ''].join('\n'));
    const before = answeredInvalidations();

    const result = await runTarget(architect, { urlsFile: 'pages.txt', batchSize: MAX_URLS });

    expect(result.output.success).toBe(true);
    expect(answeredInvalidations() - before).toBe(3);
    expect(messagesAt(result, 'info').filter((line) => line.startsWith('['))).toEqual([
      '[1/3] 5 of 12 entries sent',
      '[2/3] 10 of 12 entries sent',
      '[3/3] 12 of 12 entries sent',
    ]);
    expect(messagesAt(result, 'info').at(-1)).toMatch(/^12 URLs: 3 invalidated, 9 not in cache, 0 failed in /);
  });

  it('fails with a hint when a batch is over the server limit (413)', async () => {
    const urls = Array.from({ length: MAX_URLS + 1 }, (_, i) => `/blog/too-many-${i}`);

    const result = await runTarget(architect, { urls, batchSize: 10 });

    expect(result.output.success).toBe(false);
    const reason =
      'the request is larger than the server accepts (413): lower --batch-size (now 10) ' +
      `(server said: At most ${MAX_URLS} URLs and tags per request.)`;
    expect(messagesAt(result, 'error')).toEqual(urls.map((url) => `  FAILED        ${url}: ${reason}`));
    expect(result.output.error).toMatch(/^Invalidation incomplete: 6 URLs: 0 invalidated, 0 not in cache, 6 failed in /);
  });

  it('exits non-zero on a wrong token and invalidates nothing', async () => {
    await visit(page('/blog/guarded'));
    process.env[TOKEN_ENV] = 'wrong-token-0000';

    const result = await runTarget(architect, { urls: ['/blog/guarded'], retries: 3 });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')).toEqual([
      `  FAILED        /blog/guarded: the server refused the token (401): check that ${TOKEN_ENV} holds the server's token (server said: Invalid token.)`,
    ]);
    expect(result.output.error).toMatch(/^Invalidation incomplete: 1 URL: 0 invalidated, 0 not in cache, 1 failed in /);
    expect(result.text).not.toContain('wrong-token-0000');
    expectNoToken(result);
    expect(await visit('/blog/guarded')).toEqual({ status: 'HIT', render: 1 });
  });

  it('passes on the server reason for a path it rejects (400)', async () => {
    const result = await runTarget(architect, { urls: ['/blog/../etc/passwd'] });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')).toEqual([
      expect.stringMatching(/^ {2}FAILED {8}\/blog\/\.\.\/etc\/passwd: the server rejected the request \(400\): .*not a plain path/),
    ]);
  });

  it('fails a URL whose regeneration failed on the server and still reports the others', async () => {
    await visit(page('/broken/page'));
    await visit(page('/blog/healthy'));
    engine.route('/broken/page', { revalidate: 0, mode: 'throw' });

    const result = await runTarget(architect, { urls: ['/broken/page', '/blog/healthy'] });

    expect(result.output.success).toBe(false);
    expect(result.entries.slice(1)).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(
          /^ {2}FAILED {8}\/broken\/page: the server could not invalidate it: .*engine failure on \/broken\/page/,
        ),
      },
      { level: 'info', message: '  invalidated   /blog/healthy' },
    ]);
    expect(result.output.error).toMatch(/^Invalidation incomplete: 2 URLs: 1 invalidated, 0 not in cache, 1 failed in /);
    // The last good page stays (how the runtime marks it, HIT or STALE, is its own business).
    expect((await visit('/broken/page')).render).toBe(1);
  });

  it('reports pages that are gone as removed and pages beyond the per-request limit as marked stale, and exits 0', async () => {
    const limited = await startServer({ engine, invalidateSecretToken: SERVER_TOKEN, invalidate: { maxRegenerations: 1 } });
    try {
      engine.route('/shop/a', { revalidate: 0, tags: ['shop'] }).route('/shop/b', { revalidate: 0, tags: ['shop'] });
      engine.route('/shop/deleted', { revalidate: 0 });
      for (const path of ['/shop/deleted', '/shop/a', '/shop/b']) await fetch(limited.base + path);
      engine.route('/shop/deleted', { revalidate: 0, status: 404 });

      const result = await runTarget(architect, { baseUrl: limited.base, urls: ['/shop/deleted'], tags: ['shop'] });

      expect(result.output.success).toBe(true);
      expect(messagesAt(result, 'info').slice(1)).toEqual([
        '  removed       /shop/deleted',
        '  marked stale  /shop/a (by tag)',
        '  marked stale  /shop/b (by tag)',
        expect.stringMatching(/^3 URLs \(2 through tags\): 0 invalidated, 0 not in cache, 1 removed, 2 marked stale, 0 failed in /),
      ]);
      expect((await fetch(limited.base + '/shop/deleted')).status).toBe(404);
      expect((await fetch(limited.base + '/shop/a')).headers.get('x-isr-cache')).toBe('STALE');
    } finally {
      await limited.close();
    }
  });

  it('fails in one line with 429 after too many wrong tokens from this client', async () => {
    const guarded = await startServer({ engine, invalidateSecretToken: SERVER_TOKEN, invalidate: { maxFailedAttempts: 1 } });
    try {
      process.env[TOKEN_ENV] = 'wrong-token-1111';
      expect((await runTarget(architect, { baseUrl: guarded.base, urls: ['/blog/first'] })).output.success).toBe(false);
      process.env[TOKEN_ENV] = SERVER_TOKEN;

      const result = await runTarget(architect, { baseUrl: guarded.base, urls: ['/blog/first'], retries: 0 });

      expect(result.output.success).toBe(false);
      expect(messagesAt(result, 'error')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^ {2}FAILED {8}/blog/first: the server refused further attempts from this client after too many wrong tokens \\(429\\), retry after \\d+ s; check that ${TOKEN_ENV} holds`,
          ),
        ),
      ]);
      expectNoToken(result);
    } finally {
      await guarded.close();
    }
  });

  it('reports that invalidation is off on a server started without a token (403)', async () => {
    const off = await startServer({ engine, cache: new MemoryCacheHandler() });
    try {
      const result = await runTarget(architect, { baseUrl: off.base, urls: ['/blog/first'] });

      expect(result.output.success).toBe(false);
      expect(messagesAt(result, 'error')).toEqual([
        '  FAILED        /blog/first: invalidation is switched off on the server (403): it has no token configured ' +
          '(server said: On-demand invalidation is disabled: no invalidateSecretToken is configured.)',
      ]);
    } finally {
      await off.close();
    }
  });
});
