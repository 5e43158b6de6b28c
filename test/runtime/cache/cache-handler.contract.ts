import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CacheEntry, CacheHandler } from '../../../runtime/cache/cache-handler';

/**
 * The behaviour every `CacheHandler` must share, run against each tier (memory, filesystem,
 * Redis) from that tier's spec file. `factory` returns a fresh, empty handler for one test;
 * the suite closes it afterwards.
 */
export function describeCacheHandlerContract(name: string, factory: () => Promise<CacheHandler> | CacheHandler): void {
  describe(`CacheHandler contract: ${name}`, () => {
    let cache: CacheHandler;

    beforeEach(async () => {
      cache = await factory();
    });

    afterEach(async () => {
      await cache.clear();
      await cache.close?.();
    });

    it('answers undefined for a key it never stored', async () => {
      expect(await cache.get('/never')).toBeUndefined();
    });

    it('returns every field of a stored entry, bytes intact', async () => {
      const entry = makeEntry('/blog/a', { tags: ['posts', 'post:a'], buildId: 'build-1', revalidate: 60 });
      await cache.set(entry);
      const stored = await cache.get('/blog/a');
      expectSameEntry(stored, entry);
    });

    it('keeps binary bodies byte for byte (all 256 byte values, invalid UTF-8)', async () => {
      const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xff, 0xfe, 0xc3])]);
      const entry = { ...makeEntry('/binary'), body, etag: etag(body) };
      await cache.set(entry);
      expect((await cache.get('/binary'))?.body.equals(body)).toBe(true);
    });

    it('round-trips an entry without variants, tags or buildId, and an empty body', async () => {
      const entry: CacheEntry = {
        key: '/plain',
        status: 200,
        headers: {},
        body: Buffer.alloc(0),
        variants: {},
        etag: etag(Buffer.alloc(0)),
        createdAt: 1_700_000_000_000,
        revalidate: 0,
        tags: [],
      };
      await cache.set(entry);
      const stored = await cache.get('/plain');
      expectSameEntry(stored, entry);
      expect(stored?.buildId).toBeUndefined();
      expect(stored?.variants.br).toBeUndefined();
      expect(stored?.variants.gzip).toBeUndefined();
    });

    it('replaces an entry stored under the same key', async () => {
      await cache.set(makeEntry('/page', { version: 1 }));
      const second = makeEntry('/page', { version: 2 });
      await cache.set(second);
      expectSameEntry(await cache.get('/page'), second);
    });

    it('deletes: true when something was removed, false otherwise', async () => {
      await cache.set(makeEntry('/gone'));
      expect(await cache.delete('/gone')).toBe(true);
      expect(await cache.get('/gone')).toBeUndefined();
      expect(await cache.delete('/gone')).toBe(false);
      expect(await cache.delete('/never-there')).toBe(false);
    });

    it('lists the keys of a tag and keeps the tag index right on replace and delete', async () => {
      await cache.set(makeEntry('/a', { tags: ['posts', 'home'] }));
      await cache.set(makeEntry('/b', { tags: ['posts'] }));
      await cache.set(makeEntry('/c', { tags: [] }));
      expect((await cache.keysByTag('posts')).sort()).toEqual(['/a', '/b']);
      expect(await cache.keysByTag('home')).toEqual(['/a']);
      expect(await cache.keysByTag('unknown')).toEqual([]);

      await cache.set(makeEntry('/a', { tags: ['authors'] }));
      expect(await cache.keysByTag('posts')).toEqual(['/b']);
      expect(await cache.keysByTag('home')).toEqual([]);
      expect(await cache.keysByTag('authors')).toEqual(['/a']);

      await cache.delete('/b');
      expect(await cache.keysByTag('posts')).toEqual([]);
    });

    it('clears every entry and tag', async () => {
      await cache.set(makeEntry('/x', { tags: ['t'] }));
      await cache.set(makeEntry('/y', { tags: ['t'] }));
      await cache.clear();
      expect(await cache.get('/x')).toBeUndefined();
      expect(await cache.get('/y')).toBeUndefined();
      expect(await cache.keysByTag('t')).toEqual([]);
    });

    it('keeps keys apart that a naive file or key mapping would merge', async () => {
      const keys = [
        '/a/b',
        '/a__b',
        '/a_b',
        '/a%2Fb',
        '/../../etc/passwd',
        '/..%2F..%2Fetc%2Fpasswd',
        '/blog/ünïcödé/日本語/🚀',
        '/search?q=a&page=2',
        '/search?q=a%26page%3D2',
        '/' + 'x'.repeat(5000),
        '/' + 'x'.repeat(5001),
        '/with space/and\ttab',
        'C:\\windows\\system32',
      ];
      for (const [i, key] of keys.entries()) await cache.set(makeEntry(key, { version: i }));
      for (const [i, key] of keys.entries()) expectSameEntry(await cache.get(key), makeEntry(key, { version: i }));
      // Keys that differ only in case stay apart too.
      await cache.set(makeEntry('/Case', { version: 1 }));
      await cache.set(makeEntry('/case', { version: 2 }));
      expect((await cache.get('/Case'))?.headers['x-version']).toBe('1');
      expect((await cache.get('/case'))?.headers['x-version']).toBe('2');
    });

    it('survives concurrent writes: each key ends as one complete entry that was written', async () => {
      const writes: Promise<void>[] = [];
      for (let version = 0; version < 10; version++) {
        for (let k = 0; k < 10; k++) writes.push(cache.set(makeEntry(`/c/${k}`, { version, bodyBytes: 20_000 })));
      }
      await Promise.all(writes);
      for (let k = 0; k < 10; k++) {
        const stored = await cache.get(`/c/${k}`);
        expect(stored).toBeDefined();
        const version = Number(stored?.headers['x-version']);
        expectSameEntry(stored, makeEntry(`/c/${k}`, { version, bodyBytes: 20_000 }));
      }
    });

    it('implements the lock pair completely or not at all', () => {
      expect(typeof cache.acquireLock).toBe(typeof cache.releaseLock);
    });

    it('lock (when implemented): exclusive until released or expired', async () => {
      expect.hasAssertions();
      if (!cache.acquireLock || !cache.releaseLock) {
        // In-process tiers: the handler's own single flight is the lock; nothing to renew either.
        expect([cache.acquireLock, cache.releaseLock, cache.renewLock]).toEqual([undefined, undefined, undefined]);
        return;
      }
      expect(await cache.acquireLock('/locked', 30_000)).toBe(true);
      expect(await cache.acquireLock('/locked', 30_000)).toBe(false);
      expect(await cache.acquireLock('/other', 30_000)).toBe(true);
      await cache.releaseLock('/locked');
      expect(await cache.acquireLock('/locked', 200)).toBe(true);
      // The lock expires on its own: poll until it is free again rather than sleeping a fixed time.
      await waitFor(async () => (await cache.acquireLock?.('/locked', 30_000)) === true, 5_000);
      // Renewal (token-checked): the holder extends its lock, another handler's renew is refused.
      if (cache.renewLock) expect(await cache.renewLock('/locked', 30_000)).toBe(true);
      await cache.releaseLock('/locked');
      if (cache.renewLock) expect(await cache.renewLock('/locked', 30_000)).toBe(false);
      await cache.releaseLock('/other');
    }, 15_000); // the lock-expiry waitFor above may take its whole 5 s
  });
}

/** Options of {@link makeEntry}. */
export interface MakeEntryOptions {
  version?: number;
  tags?: string[];
  buildId?: string;
  revalidate?: number;
  createdAt?: number;
  bodyBytes?: number;
}

/** Deterministic page body for `key` and `version`, so readers can check what they got. */
export function pageBody(key: string, version: number, bytes = 2_000): Buffer {
  const head = Buffer.from(`<html><body data-key="${encodeURIComponent(key)}" data-version="${version}">`);
  const filler = createHash('sha256').update(`${key}#${version}`).digest();
  const body = Buffer.alloc(Math.max(bytes, head.length));
  head.copy(body);
  for (let i = head.length; i < body.length; i++) body[i] = filler[i % filler.length] as number;
  return body;
}

export function etag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** A complete entry whose every field derives from `key` and the options. */
export function makeEntry(key: string, options: MakeEntryOptions = {}): CacheEntry {
  const version = options.version ?? 0;
  const body = pageBody(key, version, options.bodyBytes);
  const entry: CacheEntry = {
    key,
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'x-version': String(version) },
    body,
    variants: { gzip: gzipSync(body), br: Buffer.from(`br:${key}:${version}`) },
    etag: etag(body),
    createdAt: options.createdAt ?? 1_700_000_000_000 + version,
    revalidate: options.revalidate ?? 30,
    tags: options.tags ?? [],
  };
  if (options.buildId !== undefined) entry.buildId = options.buildId;
  return entry;
}

/** Field-by-field comparison with `Buffer.equals` for the bytes. */
export function expectSameEntry(actual: CacheEntry | undefined, expected: CacheEntry): void {
  expect(actual).toBeDefined();
  if (!actual) return;
  const { body, variants, ...meta } = actual;
  const { body: expectedBody, variants: expectedVariants, ...expectedMeta } = expected;
  expect(meta).toEqual(expectedMeta);
  expect(body.equals(expectedBody)).toBe(true);
  expect(Boolean(variants.br)).toBe(Boolean(expectedVariants.br));
  expect(Boolean(variants.gzip)).toBe(Boolean(expectedVariants.gzip));
  if (expectedVariants.br) expect(variants.br?.equals(expectedVariants.br)).toBe(true);
  if (expectedVariants.gzip) expect(variants.gzip?.equals(expectedVariants.gzip)).toBe(true);
}

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
