import type { Architect, Target } from '@angular-devkit/architect';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchitect, messagesAt, runTarget } from '../isr-invalidate/architect-harness';
import { startIsrApp, urlset, type IsrApp } from './isr-app';

// The builder through Architect (the real builders.json → dist/) against the runtime's own
// ISRHandler on Express: after warming, every cacheable page is a HIT for its first visitor.
const TARGET: Target = { project: 'app', target: 'isr-warm' };

describe('isr-warm builder against the real ISRHandler', () => {
  let app: IsrApp;
  let workspace: string;
  let architect: Architect;

  async function visit(path: string): Promise<string | null> {
    const response = await fetch(app.base + path);
    await response.text();
    return response.headers.get('x-isr-cache');
  }

  beforeAll(async () => {
    app = await startIsrApp();
    app.engine
      .route('/')
      .route('/blog/a', { revalidate: 60 })
      .route('/blog/b', { revalidate: 60 })
      .route('/contact', {}) // no revalidate: plain SSR
      .route('/fast', { revalidate: 1 });
    workspace = mkdtempSync(join(tmpdir(), 'ng-isr-warm-contract-'));
    architect = await createArchitect(workspace, { baseUrl: app.base }, TARGET);
  });
  afterAll(async () => {
    await app.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('warms every page of the default sitemap; afterwards their first visitors get HITs', async () => {
    app.sitemap = urlset([`${app.base}/`, `${app.base}/blog/a`, `${app.base}/blog/b`, `${app.base}/contact`]);

    const result = await runTarget(architect, {}, TARGET);

    expect(result.output).toEqual(expect.objectContaining({ success: true }));
    const info = messagesAt(result, 'info');
    expect(info.slice(0, 3)).toEqual([
      `Reading the sitemap ${app.base}/sitemap.xml`,
      `  ${app.base}/sitemap.xml: 4 URLs`,
      `Warming 4 URLs at ${app.base}, 4 at a time.`,
    ]);
    const lines = info.slice(3, 7);
    expect(lines.map((line) => line.replace(/\(\d+ ms\)/, '(n ms)')).sort()).toEqual(
      ['200 MISS    / (n ms)', '200 MISS    /blog/a (n ms)', '200 MISS    /blog/b (n ms)', '200 BYPASS  /contact (n ms)']
        .map((line) => expect.stringMatching(new RegExp(`^  \\[\\d/4\\] ${escape(line)}$`)) as unknown as string)
        .sort(),
    );
    expect(lines.map((line) => /^ {2}\[(\d)\/4\]/.exec(line)?.[1])).toEqual(['1', '2', '3', '4']);
    expect(info.at(-1)).toMatch(/^4 URLs: 4 answered 2xx \(3 MISS, 0 HIT, 0 STALE, 1 BYPASS\), 0 failed in \d+\.\d\d s\.$/);
    expect(result.entries.filter((entry) => entry.level !== 'info')).toEqual([]);

    for (const path of ['/', '/blog/a', '/blog/b']) expect(await visit(path)).toBe('HIT');
    expect(await visit('/contact')).toBe('BYPASS');
    expect([app.engine.renders('/'), app.engine.renders('/blog/a'), app.engine.renders('/blog/b')]).toEqual([1, 1, 1]);

    // A second run finds them cached and renders nothing.
    const again = await runTarget(architect, { urls: ['/', '/blog/a'] }, TARGET);
    expect(again.output.success).toBe(true);
    expect(messagesAt(again, 'info').at(-1)).toMatch(/^2 URLs: 2 answered 2xx \(0 MISS, 2 HIT, 0 STALE, 0 BYPASS\), 0 failed in /);
    expect(app.engine.renders('/')).toBe(1);
  });

  it('reports STALE for a page past its revalidate time (and the server regenerates it once)', async () => {
    await runTarget(architect, { urls: ['/fast'] }, TARGET);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const result = await runTarget(architect, { urls: ['/fast'] }, TARGET);
    expect(result.output.success).toBe(true);
    expect(messagesAt(result, 'info')).toContainEqual(expect.stringMatching(/^ {2}\[1\/1\] 200 STALE {3}\/fast \(\d+ ms\)$/));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(app.engine.renders('/fast')).toBe(2);
  });

  it('merges --urls, --urls-file and --routes-file (Angular route list), skipping parameterised routes', async () => {
    writeFileSync(join(workspace, 'pages.txt'), '# after the CMS import\n/blog/a\n\n/blog/b\r\n');
    writeFileSync(join(workspace, 'prerendered-routes.json'), JSON.stringify({ routes: { '/': {}, '/blog/:slug': {}, '/blog/a': {} } }));
    const result = await runTarget(
      architect,
      { urls: [`${app.base}/contact#form`], urlsFile: 'pages.txt', routesFile: 'prerendered-routes.json' },
      TARGET,
    );

    expect(result.output.success).toBe(true);
    const info = messagesAt(result, 'info');
    // No sitemap is read when lists are given; each page once.
    expect(info[0]).toBe(`Warming 4 URLs at ${app.base}, 4 at a time.`);
    expect(
      info
        .filter((line) => line.startsWith('  ['))
        .map((line) => line.split(' ').filter(Boolean)[3])
        .sort(),
    ).toEqual(['/', '/blog/a', '/blog/b', '/contact']);
    expect(messagesAt(result, 'warn')).toEqual([
      '  skipped  /blog/:slug: a route with parameters names no single page; list its concrete paths in --routes-file or --urls-file',
    ]);
    expect(info.at(-1)).toMatch(/^4 URLs: 4 answered 2xx \(.*\), 0 failed, 1 skipped in /);
  });

  it('--dry-run reads the sitemap, lists the pages and requests none', async () => {
    app.sitemap = urlset([`${app.base}/blog/dry-1`, `${app.base}/blog/dry-2`]);
    app.engine.route('/blog/dry-1').route('/blog/dry-2');
    const before = app.engine.totalRenders();

    const result = await runTarget(architect, { dryRun: true, concurrency: 2 }, TARGET);

    expect(result.output.success).toBe(true);
    expect(messagesAt(result, 'info').slice(2)).toEqual([
      `Dry run: would GET 2 URLs at ${app.base}, 2 at a time:`,
      '  /blog/dry-1',
      '  /blog/dry-2',
      'No page was requested.',
    ]);
    expect(app.engine.totalRenders()).toBe(before);
    expect(await visit('/blog/dry-1')).toBe('MISS');
  });

  it('fails with one line per page the app does not serve (404) and exits non-zero', async () => {
    const result = await runTarget(architect, { urls: ['/blog/a', '/no-such-page'] }, TARGET);
    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')).toEqual([
      expect.stringMatching(/^ {2}\[\d\/2\] FAILED {6}\/no-such-page: the server answered 404 Not Found$/),
    ]);
    expect(result.output.error).toMatch(/^Warming incomplete: 2 URLs: 1 answered 2xx \(0 MISS, 1 HIT, 0 STALE, 0 BYPASS\), 1 failed in /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
