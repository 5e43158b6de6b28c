import { mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemCacheHandler } from '../../../runtime/cache/filesystem-cache-handler';
import { entryFileName } from '../../../runtime/cache/entry-file';
import { encodeEntry } from '../../../runtime/cache/entry-codec';
import { CapturingLogger } from '../../support/capturing-logger';
import { describeCacheHandlerContract, expectSameEntry, makeEntry } from './cache-handler.contract';

const roots: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ng-isr-fs-'));
  roots.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The entry files of a cache folder (without its `.ng-isr-cache` marker). */
async function entryFiles(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.isr'));
}

describeCacheHandlerContract('FileSystemCacheHandler', async () => {
  return new FileSystemCacheHandler({ directory: join(await tempDir(), 'cache'), logger: new CapturingLogger() });
});

describeCacheHandlerContract('FileSystemCacheHandler without memory layer', async () => {
  return new FileSystemCacheHandler({ directory: await tempDir(), memoryLayer: false, fsync: false });
});

describe('FileSystemCacheHandler', () => {
  it('does nothing in the constructor (Angular builds execute server.ts)', async () => {
    const directory = join(await tempDir(), 'not-yet');
    new FileSystemCacheHandler({ directory });
    await expect(stat(directory)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects while the folder cannot be created and works once it can', async () => {
    const root = await tempDir();
    const blocker = join(root, 'cache');
    await writeFile(blocker, 'a file where the folder should be');
    const cache = new FileSystemCacheHandler({ directory: join(blocker, 'isr') });
    await expect(cache.get('/')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(cache.set(makeEntry('/'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await rm(blocker);
    await cache.set(makeEntry('/'));
    expectSameEntry(await cache.get('/'), makeEntry('/'));
  });

  it('rejects missing or invalid options with a clear error', () => {
    expect(() => new FileSystemCacheHandler({ directory: '' })).toThrow(/directory/);
    expect(() => new FileSystemCacheHandler({ directory: '/tmp/x', maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => new FileSystemCacheHandler({ directory: '/tmp/x', memoryLayer: { maxBytes: -1 } })).toThrow(/maxBytes/);
  });

  it('names files by the sha256 of the key, so no key escapes the folder', async () => {
    const root = await tempDir();
    const directory = join(root, 'cache');
    const cache = new FileSystemCacheHandler({ directory });
    const keys = ['/../../etc/passwd', '/../sibling', '/a/b', '/a__b', '\0/nul', '/' + '../'.repeat(300), '/' + 'é'.repeat(4000)];
    for (const key of keys) await cache.set(makeEntry(key));
    expect((await readdir(root)).sort()).toEqual(['cache']);
    const files = (await entryFiles(directory)).sort();
    expect(files).toEqual(keys.map(entryFileName).sort());
    for (const file of files) expect(file).toMatch(/^[0-9a-f]{64}\.isr$/);
    for (const key of keys) expectSameEntry(await cache.get(key), makeEntry(key));
  });

  it('serves entries at once after a restart, with their original createdAt and tags', async () => {
    const directory = await tempDir();
    const first = new FileSystemCacheHandler({ directory });
    const old = makeEntry('/old', { createdAt: Date.now() - 3_600_000, tags: ['posts'], buildId: 'b1', revalidate: 60 });
    const fresh = makeEntry('/fresh', { createdAt: Date.now(), tags: ['posts', 'home'], revalidate: 0 });
    await first.set(old);
    await first.set(fresh);
    await first.close();

    const second = new FileSystemCacheHandler({ directory });
    expectSameEntry(await second.get('/old'), old);
    expectSameEntry(await second.get('/fresh'), fresh);
    expect((await second.keysByTag('posts')).sort()).toEqual(['/fresh', '/old']);
    expect(await second.keysByTag('home')).toEqual(['/fresh']);
    expect(second.size).toBe(2);
    expect(second.sizeOnDisk).toBe(encodeEntry(old).length + encodeEntry(fresh).length);
  });

  it('treats a damaged file as a miss and removes it', async () => {
    const directory = await tempDir();
    const logger = new CapturingLogger();
    const cache = new FileSystemCacheHandler({ directory, memoryLayer: false, logger });
    await cache.set(makeEntry('/flipped', { tags: ['t'] }));
    const path = join(directory, entryFileName('/flipped'));
    const bytes = await readFile(path);
    bytes[bytes.length - 100] ^= 0xff; // inside the payload: only the digest notices
    await writeFile(path, bytes);

    expect(await cache.get('/flipped')).toBeUndefined();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await cache.keysByTag('t')).toEqual([]);
    expect(cache.size).toBe(0);
    expect(cache.sizeOnDisk).toBe(0);
    expect(logger.messages().join('\n')).toMatch(/damaged cache file.*digest/);
  });

  it('treats a file truncated after start-up as a miss and removes it', async () => {
    const directory = await tempDir();
    const cache = new FileSystemCacheHandler({ directory, memoryLayer: false, logger: new CapturingLogger() });
    await cache.set(makeEntry('/cut'));
    const path = join(directory, entryFileName('/cut'));
    await truncate(path, (await stat(path)).size - 1);
    expect(await cache.get('/cut')).toBeUndefined();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('drops truncated, foreign-format and misnamed entry files at start-up; leaves other files alone', async () => {
    const directory = await tempDir();
    const writer = new FileSystemCacheHandler({ directory });
    for (const key of ['/ok', '/cut', '/zero', '/garbage']) await writer.set(makeEntry(key));
    await writer.close();
    const cut = join(directory, entryFileName('/cut'));
    await truncate(cut, Math.floor((await stat(cut)).size / 2));
    await truncate(join(directory, entryFileName('/zero')), 0);
    await writeFile(join(directory, entryFileName('/garbage')), 'not an entry at all');
    // A valid entry under a name that is not its key's hash (copied by hand, say).
    await writeFile(join(directory, entryFileName('/elsewhere')), encodeEntry(makeEntry('/ok')));
    await writeFile(join(directory, 'README.txt'), 'mine');

    const logger = new CapturingLogger();
    const cache = new FileSystemCacheHandler({ directory, logger });
    await cache.init();
    expect(cache.size).toBe(1);
    expectSameEntry(await cache.get('/ok'), makeEntry('/ok'));
    expect((await readdir(directory)).sort()).toEqual([entryFileName('/ok'), 'README.txt', '.ng-isr-cache'].sort());
    expect(logger.messages()).toHaveLength(4);
  });

  it("adopts a previous release's folder (no marker): removes temp files of dead writers, keeps a live writer's", async () => {
    const directory = await tempDir();
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: never a live process
    const dead = `${entryFileName('/x')}.${deadPid}.0123456789ab.tmp`;
    const live = `${entryFileName('/y')}.${process.pid}.0123456789ab.tmp`;
    const oldLive = `${entryFileName('/z')}.${process.pid}.ba9876543210.tmp`;
    for (const name of [dead, live, oldLive]) await writeFile(join(directory, name), 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(directory, oldLive), twoHoursAgo, twoHoursAgo);
    const cache = new FileSystemCacheHandler({ directory });
    await cache.init();
    expect((await readdir(directory)).sort()).toEqual(['.ng-isr-cache', live].sort());
    expect(cache.size).toBe(0);
  });

  it('stays within maxBytes on disk, evicting the least recently used entries', async () => {
    const directory = await tempDir();
    const entryBytes = encodeEntry(makeEntry('/p/0', { bodyBytes: 10_000 })).length;
    const cache = new FileSystemCacheHandler({ directory, maxBytes: Math.floor(entryBytes * 3.5), memoryLayer: false });
    for (let i = 0; i < 3; i++) await cache.set(makeEntry(`/p/${i}`, { bodyBytes: 10_000 }));
    expect(await cache.get('/p/0')).toBeDefined(); // now the most recently used
    await cache.set(makeEntry('/p/3', { bodyBytes: 10_000 }));
    await cache.set(makeEntry('/p/4', { bodyBytes: 10_000 }));

    expect(await cache.get('/p/1')).toBeUndefined();
    expect(await cache.get('/p/2')).toBeUndefined();
    for (const key of ['/p/0', '/p/3', '/p/4']) expect(await cache.get(key)).toBeDefined();
    const files = await entryFiles(directory);
    expect(files).toHaveLength(3);
    const onDisk = (await Promise.all(files.map((f) => stat(join(directory, f))))).reduce((sum, s) => sum + s.size, 0);
    expect(onDisk).toBe(cache.sizeOnDisk);
    expect(onDisk).toBeLessThanOrEqual(Math.floor(entryBytes * 3.5));
  });

  it('enforces a smaller maxBytes on restart, keeping the newest files', async () => {
    const directory = await tempDir();
    const writer = new FileSystemCacheHandler({ directory });
    for (let i = 0; i < 4; i++) {
      await writer.set(makeEntry(`/r/${i}`, { bodyBytes: 10_000 }));
      const when = new Date(Date.now() - (10 - i) * 60_000);
      await utimes(join(directory, entryFileName(`/r/${i}`)), when, when);
    }
    const entryBytes = encodeEntry(makeEntry('/r/0', { bodyBytes: 10_000 })).length;
    const cache = new FileSystemCacheHandler({ directory, maxBytes: entryBytes * 2 });
    await cache.init();
    expect(cache.size).toBe(2);
    expect(await cache.get('/r/0')).toBeUndefined();
    expect(await cache.get('/r/1')).toBeUndefined();
    expect(await cache.get('/r/3')).toBeDefined();
  });

  it('does not store an entry larger than the whole cache, and drops the outdated copy', async () => {
    const directory = await tempDir();
    const logger = new CapturingLogger();
    const small = encodeEntry(makeEntry('/big', { bodyBytes: 1_000 })).length;
    const cache = new FileSystemCacheHandler({ directory, maxBytes: small + 100, logger });
    await cache.set(makeEntry('/big', { bodyBytes: 1_000 }));
    await cache.set(makeEntry('/big', { bodyBytes: 50_000, version: 2 }));
    expect(await cache.get('/big')).toBeUndefined();
    expect(await entryFiles(directory)).toEqual([]);
    expect(logger.messages().join()).toMatch(/exceeds the cache size/);
  });

  it('answers hot entries from the memory layer without reading the file', async () => {
    const directory = await tempDir();
    const withLayer = new FileSystemCacheHandler({ directory, memoryLayer: { maxBytes: 1_000_000 } });
    await withLayer.set(makeEntry('/hot'));
    // Damage the file: only a handler that reads the disk can notice.
    await writeFile(join(directory, entryFileName('/hot')), 'damaged');
    expectSameEntry(await withLayer.get('/hot'), makeEntry('/hot'));

    const diskOnly = new FileSystemCacheHandler({ directory: await tempDir(), memoryLayer: false, logger: new CapturingLogger() });
    await diskOnly.set(makeEntry('/hot'));
    await writeFile(join(diskOnly.directory, entryFileName('/hot')), 'damaged');
    expect(await diskOnly.get('/hot')).toBeUndefined();
  });

  it('imports prerendered pages at start-up without touching the files', async () => {
    const root = await tempDir();
    const browser = join(root, 'dist', 'app', 'browser');
    const ssg = (title: string): string =>
      `<!doctype html><html><head><title>${title}</title></head><body><app-root ng-server-context="ssg"><h1>${title}</h1>${'<p>prerendered text</p>'.repeat(30)}</app-root></body></html>`;
    await mkdir(join(browser, 'blog', 'a'), { recursive: true });
    await mkdir(join(browser, 'shell'), { recursive: true });
    await writeFile(join(browser, 'index.html'), ssg('home'));
    await writeFile(join(browser, 'blog', 'a', 'index.html'), ssg('post a'));
    // The client-side shell (no server context marker) is not a rendered page.
    await writeFile(join(browser, 'shell', 'index.html'), '<html><body><app-root></app-root></body></html>');
    await writeFile(join(browser, 'index.csr.html'), '<html><body><app-root></app-root></body></html>');
    const built = new Date(Date.now() - 60_000);
    await utimes(join(browser, 'blog', 'a', 'index.html'), built, built);
    const before = await readFile(join(browser, 'blog', 'a', 'index.html'));

    const cache = new FileSystemCacheHandler({
      directory: join(root, 'cache'),
      importPrerendered: { browserDistFolder: browser, tags: ['prerendered'], buildId: 'b7' },
    });
    const post = await cache.get('/blog/a');
    expect(post?.body.toString()).toBe(ssg('post a'));
    expect(post?.createdAt).toBe(Math.floor((await stat(join(browser, 'blog', 'a', 'index.html'))).mtimeMs));
    expect(Math.abs((post?.createdAt ?? 0) - built.getTime())).toBeLessThan(1_000);
    expect(post?.revalidate).toBe(0);
    expect(post?.buildId).toBe('b7');
    expect(post?.headers['content-type']).toMatch(/^text\/html/);
    expect(post?.variants.gzip).toBeDefined();
    expect((await cache.get('/'))?.body.toString()).toBe(ssg('home'));
    expect(await cache.get('/shell')).toBeUndefined();
    expect((await cache.keysByTag('prerendered')).sort()).toEqual(['/', '/blog/a']);
    expect((await readFile(join(browser, 'blog', 'a', 'index.html'))).equals(before)).toBe(true);

    // A page rendered since the build is newer than the file: a restart keeps it.
    await cache.set(makeEntry('/blog/a', { createdAt: Date.now(), version: 9 }));
    const restarted = new FileSystemCacheHandler({
      directory: join(root, 'cache'),
      importPrerendered: { browserDistFolder: browser },
    });
    expect((await restarted.get('/blog/a'))?.headers['x-version']).toBe('9');
  });

  it('a missing prerender folder is not an error', async () => {
    const cache = new FileSystemCacheHandler({
      directory: await tempDir(),
      importPrerendered: { browserDistFolder: join(await tempDir(), 'nope') },
    });
    expect(await cache.get('/')).toBeUndefined();
  });
});
