import type { Architect, Target } from '@angular-devkit/architect';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchitect, messagesAt, runTarget } from '../isr-invalidate/architect-harness';
import { freePort as closedPort } from '../../support/free-port';
import { sitemapIndex, urlset } from './isr-app';
import { WarmFaultServer } from './warm-fault-server';

// The builder through Architect against a raw HTTP server that fails in every way a deployment can.
const TARGET: Target = { project: 'app', target: 'isr-warm' };

describe('isr-warm builder: errors, retries and bounds (raw HTTP server)', () => {
  const server = new WarmFaultServer();
  let base: string;
  let workspace: string;
  let architect: Architect;
  const run = (overrides: Record<string, unknown>) => runTarget(architect, overrides as never, TARGET);

  beforeAll(async () => {
    base = await server.start();
    workspace = mkdtempSync(join(tmpdir(), 'ng-isr-warm-errors-'));
    architect = await createArchitect(workspace, { baseUrl: base, retries: 0, timeoutMs: 2_000 }, TARGET);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  it('retries a 500 and succeeds on the next answer', async () => {
    const result = await run({ urls: ['/flaky'], retries: 2 });

    expect(result.output.success).toBe(true);
    expect(server.hitsOf('/flaky')).toBe(2);
    expect(messagesAt(result, 'warn')).toEqual([
      '  attempt 1 failed for /flaky (the server answered 500 Internal Server Error); retrying in 300 ms',
    ]);
    expect(messagesAt(result, 'info')).toContainEqual(expect.stringMatching(/^ {2}\[1\/1\] 200 MISS {4}\/flaky \(\d+ ms, attempt 2\)$/));
  });

  it('gives up on a page that keeps failing, reports every failure on one line and exits non-zero', async () => {
    const result = await run({ urls: ['/ok', '/always-500', '/moved', '/missing'], retries: 1 });

    expect(result.output.success).toBe(false);
    expect(server.hitsOf('/always-500')).toBe(2);
    expect(server.hitsOf('/moved')).toBe(1);
    expect(
      messagesAt(result, 'error')
        .map((line) => line.replace(/^ {2}\[\d\/4\] /, ''))
        .sort(),
    ).toEqual([
      'FAILED      /always-500: the server answered 503 Service Unavailable (gave up after 2 attempts)',
      'FAILED      /missing: the server answered 404 Not Found',
      'FAILED      /moved: the server redirected (301 Moved Permanently) to https://example.com/moved; warm the final address instead',
    ]);
    expect(result.output.error).toMatch(/^Warming incomplete: 4 URLs: 1 answered 2xx \(1 MISS, 0 HIT, 0 STALE, 0 BYPASS\), 3 failed in /);
  });

  it('times out on a page that never answers', async () => {
    const result = await run({ urls: ['/hang', '/ok'], timeoutMs: 200 });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')).toEqual([
      expect.stringMatching(
        /FAILED {6}\/hang: no answer from 127\.0\.0\.1:\d+ within 200 ms \(timeout; raise --timeout-ms if the server is slow\)$/,
      ),
    ]);
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const result = await run({ baseUrl: `http://127.0.0.1:${port}`, urls: ['/'] });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')).toEqual([`  [1/1] FAILED      /: connection refused by 127.0.0.1:${port}: is the server running?`]);
  });

  it('refuses a sitemap that is not XML (the app shell), and a missing sitemap', async () => {
    const shell = await run({ sitemap: '/shell-sitemap.xml' });
    expect(shell.output.success).toBe(false);
    expect(messagesAt(shell, 'error')).toEqual([
      `  FAILED  sitemap ${base}/shell-sitemap.xml: not a sitemap: it has no <urlset> or <sitemapindex> (an HTML page: the app answered instead of a sitemap file) (200 OK, text/html, starting "<!doctype html><html><body><app-root></app-root></body></ht…")`,
    ]);
    expect(shell.output.error).toBe('Nothing to warm: the sitemap could not be read.');

    const missing = await run({});
    expect(missing.output.success).toBe(false);
    expect(messagesAt(missing, 'error')).toEqual([
      `  FAILED  sitemap ${base}/sitemap.xml: no sitemap at ${base}/sitemap.xml (404 Not Found): pass --sitemap, --urls, --urls-file or --routes-file`,
    ]);
  });

  it('warms the pages on its own origin and skips (and reports) those of other hosts', async () => {
    server.sitemaps.set('/sitemap.xml', urlset([`${base}/page/a`, 'https://other.example/page/b', `${base}/page/c`]));

    const result = await run({});

    expect(result.output.success).toBe(true);
    expect(server.requests.filter((path) => path.startsWith('/page/')).sort()).toEqual(['/page/a', '/page/c']);
    expect(messagesAt(result, 'warn')).toEqual([
      `  skipped  https://other.example/page/b: on another host than --base-url (${base}); set --public-origin if it is this deployment's public address`,
    ]);
    expect(messagesAt(result, 'info').at(-1)).toMatch(/^2 URLs: 2 answered 2xx \(2 MISS, .*\), 0 failed, 1 skipped in /);
  });

  it("requests the public origin's sitemap URLs from --base-url with --public-origin", async () => {
    server.sitemaps.set('/sitemap.xml', urlset(['https://www.example.com/page/a', 'https://www.example.com/page/b?x=1&y=2']));

    const result = await run({ publicOrigin: 'https://www.example.com' });

    expect(result.output.success).toBe(true);
    expect(server.requests).toEqual(['/sitemap.xml', '/page/a', '/page/b']);
    expect(messagesAt(result, 'info')).toContainEqual(expect.stringMatching(/ \/page\/b\?x=1&y=2 \(/));
  });

  it('follows a sitemap index on its origin, each sitemap once, and skips child sitemaps elsewhere', async () => {
    server.sitemaps.set(
      '/sitemap.xml',
      sitemapIndex([`${base}/sitemap-1.xml`, `${base}/sitemap-2.xml`, `${base}/sitemap-1.xml`, 'https://cdn.example/s.xml']),
    );
    server.sitemaps.set('/sitemap-1.xml', urlset([`${base}/page/1`, `${base}/page/2`]));
    server.sitemaps.set('/sitemap-2.xml', urlset([`${base}/page/2`, `${base}/page/3`]));

    const result = await run({});

    expect(result.output.success).toBe(true);
    expect(server.hitsOf('/sitemap-1.xml')).toBe(1);
    expect(server.requests.filter((path) => path.startsWith('/page/')).sort()).toEqual(['/page/1', '/page/2', '/page/3']);
    expect(messagesAt(result, 'info').slice(0, 4)).toEqual([
      `Reading the sitemap ${base}/sitemap.xml`,
      `  ${base}/sitemap.xml: 4 sitemaps`,
      `  ${base}/sitemap-1.xml: 2 URLs`,
      `  ${base}/sitemap-2.xml: 2 URLs`,
    ]);
    expect(messagesAt(result, 'warn')).toEqual([expect.stringMatching(/^ {2}skipped {2}https:\/\/cdn\.example\/s\.xml: on another host/)]);
  });

  it('bounds a huge sitemap to --max-urls and says so', async () => {
    const urls = Array.from({ length: 60_000 }, (_, i) => `${base}/page/${i}`);
    server.sitemaps.set('/sitemap.xml', urlset(urls));

    const result = await run({ maxUrls: 25, concurrency: 8 });

    expect(result.output.success).toBe(true);
    expect(server.requests.filter((path) => path.startsWith('/page/'))).toHaveLength(25);
    expect(messagesAt(result, 'warn')).toEqual([
      'Not every page is warmed: the sitemaps list more than 25 pages; warming the first 25 (raise --max-urls).',
    ]);
  });

  it('bounds a sitemap index that lists itself and endless children', async () => {
    server.sitemaps.set(
      '/sitemap.xml',
      sitemapIndex([`${base}/sitemap.xml`, ...Array.from({ length: 80 }, (_, i) => `${base}/sitemap-${i}.xml`)]),
    );
    for (let i = 0; i < 80; i++) server.sitemaps.set(`/sitemap-${i}.xml`, urlset([`${base}/page/${i}`]));

    const result = await run({});

    expect(result.output.success).toBe(true);
    expect(server.requests.filter((path) => path.startsWith('/sitemap'))).toHaveLength(50);
    expect(messagesAt(result, 'warn')).toEqual([
      'Not every page is warmed: read 50 sitemap files, the most one run reads; 31 more were not read.',
    ]);
  });

  it('warns when answers carry no x-isr-cache (not ng-isr answering) but counts them as warmed', async () => {
    const result = await run({ urls: ['/no-header'] });

    expect(result.output.success).toBe(true);
    expect(messagesAt(result, 'warn')).toEqual([
      '1 of 1 answers carried no x-isr-cache header: they did not come from ng-isr (a CDN, a proxy or a server without ISRHandler answered); warm the app server itself.',
    ]);
    expect(messagesAt(result, 'info').at(-1)).toMatch(/\(0 MISS, 0 HIT, 0 STALE, 0 BYPASS, 1 without x-isr-cache\), 0 failed in /);
  });

  it.each([
    [{ urls: ['blog/a'] }, '"blog/a" is not a path: URLs to warm start with "/", e.g. /blog/hello.'],
    [{ urls: ['https://elsewhere.example/a'] }, 'URL "https://elsewhere.example/a" is on another host than --base-url'],
    [{ urlsFile: 'missing.txt' }, 'Cannot read --urls-file '],
    [{ routesFile: 'broken.json' }, 'is not a route list: not valid JSON'],
    [{ sitemap: 'sitemap.xml' }, '--sitemap "sitemap.xml" is neither a path (/sitemap.xml) nor an http(s) URL.'],
    [
      { publicOrigin: 'https://user:pw@example.com' },
      '--public-origin must be an http:// or https:// origin without user name or password',
    ],
  ])('refuses bad input %j before any request', async (overrides, message) => {
    writeFileSync(join(workspace, 'broken.json'), '{ "routes": [');
    const result = await run(overrides);

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(result.output.error).toContain(message);
  });

  it('lets the schema reject a missing or non-http base URL', async () => {
    const bare = await createArchitect(workspace, {}, TARGET);
    await expect(runTarget(bare, { urls: ['/'] }, TARGET)).rejects.toThrow(/baseUrl/);
    await expect(run({ baseUrl: 'ftp://example.com', urls: ['/'] })).rejects.toThrow(/baseUrl/);
    expect(server.requests).toHaveLength(0);
  });
});
