import type { CacheEntry } from '../../runtime/cache/cache-handler.js';
import { DEFAULT_MEMORY_CACHE_BYTES, entrySizeInBytes, MemoryCacheHandler } from '../../runtime/cache/memory-cache-handler.js';

function entry(key: string, bytes: number, tags: string[] = []): CacheEntry {
  return {
    key,
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: Buffer.alloc(bytes, 'a'),
    variants: {},
    etag: '"x"',
    createdAt: Date.now(),
    revalidate: 60,
    tags,
  };
}

describe('MemoryCacheHandler', () => {
  it('defaults to a documented 64 MiB bound', () => {
    expect(new MemoryCacheHandler().maxBytes).toBe(DEFAULT_MEMORY_CACHE_BYTES);
    expect(DEFAULT_MEMORY_CACHE_BYTES).toBe(64 * 1024 * 1024);
  });

  it('refuses a non-positive bound', () => {
    expect(() => new MemoryCacheHandler({ maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => new MemoryCacheHandler({ maxBytes: 1.5 })).toThrow(/maxBytes/);
  });

  it('never holds more bytes than maxBytes and evicts the least recently used page', async () => {
    const one = entrySizeInBytes(entry('/0', 10_000));
    const cache = new MemoryCacheHandler({ maxBytes: one * 3 + 10 });
    for (let i = 0; i < 3; i++) {
      await cache.set(entry(`/${i}`, 10_000));
    }
    await cache.get('/0'); // /0 becomes the most recently used
    await cache.set(entry('/3', 10_000));
    expect(cache.sizeInBytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(await cache.get('/1')).toBeUndefined();
    expect(await cache.get('/0')).toBeDefined();
    expect(await cache.get('/3')).toBeDefined();
    for (let i = 4; i < 50; i++) {
      await cache.set(entry(`/${i}`, 5_000 + i * 100));
      expect(cache.sizeInBytes).toBeLessThanOrEqual(cache.maxBytes);
    }
  });

  it('counts compressed variants against the bound', () => {
    const plain = entry('/a', 1000);
    const withVariants = { ...plain, variants: { br: Buffer.alloc(300), gzip: Buffer.alloc(400) } };
    expect(entrySizeInBytes(withVariants) - entrySizeInBytes(plain)).toBe(700);
  });

  it('does not store a page larger than the whole bound (and drops the old copy)', async () => {
    const cache = new MemoryCacheHandler({ maxBytes: 5_000 });
    await cache.set(entry('/big', 1_000, ['t']));
    await cache.set(entry('/big', 10_000, ['t']));
    expect(await cache.get('/big')).toBeUndefined();
    expect(await cache.keysByTag('t')).toEqual([]);
  });

  it('keeps the tag index in step with replacements, deletes and evictions', async () => {
    const cache = new MemoryCacheHandler({ maxBytes: entrySizeInBytes(entry('/a', 1000, ['posts'])) * 2 + 100 });
    await cache.set(entry('/a', 1000, ['posts']));
    await cache.set(entry('/b', 1000, ['posts', 'featured']));
    expect((await cache.keysByTag('posts')).sort()).toEqual(['/a', '/b']);
    await cache.set(entry('/a', 1000, ['news']));
    expect(await cache.keysByTag('posts')).toEqual(['/b']);
    expect(await cache.keysByTag('news')).toEqual(['/a']);
    expect(await cache.delete('/b')).toBe(true);
    expect(await cache.delete('/b')).toBe(false);
    expect(await cache.keysByTag('featured')).toEqual([]);
    await cache.set(entry('/c', 1000, ['x']));
    await cache.set(entry('/d', 1000, ['x']));
    expect(await cache.get('/a')).toBeUndefined();
    expect(await cache.keysByTag('news')).toEqual([]);
    await cache.clear();
    expect([cache.size, cache.sizeInBytes, await cache.keysByTag('x')]).toEqual([0, 0, []]);
  });

  it('pays for keys and tag index slots from the byte budget, not only for the body', () => {
    const plain = entrySizeInBytes(entry('/a', 100));
    expect(entrySizeInBytes(entry('/a' + 'x'.repeat(1000), 100)) - plain).toBeGreaterThanOrEqual(1000);
    const tags = Array.from({ length: 100 }, (_, i) => `t${i}`);
    // 100 memberships cost at least a Set slot each, however short the tag names are.
    expect(entrySizeInBytes(entry('/a', 100, tags)) - plain).toBeGreaterThanOrEqual(100 * 64);
  });
});
