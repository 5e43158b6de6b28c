import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemCacheHandler } from '../../../runtime/cache/filesystem-cache-handler';
import { TestEngine } from '../support/test-engine';
import { startServer } from '../support/test-server';

describe('prerendered pages imported by the filesystem tier, served through ISRHandler', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'ng-isr-ssg-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('answers an imported page as a HIT without rendering, and renders pages that were not prerendered', async () => {
    const browser = join(work, 'browser');
    await mkdir(join(browser, 'blog', 'a'), { recursive: true });
    await writeFile(join(browser, 'blog', 'a', 'index.html'), '<html ng-server-context="ssg"><body>prerendered a</body></html>');
    await writeFile(join(browser, 'index.html'), '<html><body>client shell</body></html>'); // not prerendered: not imported
    const cache = new FileSystemCacheHandler({ directory: join(work, 'cache'), importPrerendered: { browserDistFolder: browser } });
    const engine = new TestEngine().route('/blog/a', { revalidate: 60 }).route('/', { revalidate: 60 });
    const server = await startServer({ engine, cache, invalidateSecretToken: 't' });
    try {
      const page = await fetch(`${server.base}/blog/a`);
      expect([page.status, page.headers.get('x-isr-cache')]).toEqual([200, 'HIT']);
      expect(await page.text()).toContain('prerendered a');
      expect(page.headers.get('etag')).toMatch(/^"/);
      expect(engine.renders('/blog/a')).toBe(0);
      const shell = await fetch(`${server.base}/`);
      expect(shell.headers.get('x-isr-cache')).toBe('MISS');
      expect(engine.renders('/')).toBe(1);
    } finally {
      await server.close();
    }
  });
});
