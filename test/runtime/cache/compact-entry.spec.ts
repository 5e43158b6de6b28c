import { compactEntry } from '../../../runtime/cache/compact-entry';
import { MemoryCacheHandler } from '../../../runtime/cache/memory-cache-handler';
import { expectSameEntry, makeEntry } from './cache-handler.contract';

describe('entries kept in process own their bytes', () => {
  it('copies bodies that are views into a larger allocation (pool slab, socket chunk), keeps exact ones', async () => {
    const chunk = Buffer.alloc(64 * 1024, 1); // what a Redis reply or Node's pool hands out
    const base = makeEntry('/a');
    const pinned = { ...base, body: chunk.subarray(100, 100 + base.body.length), variants: {} };
    pinned.body.set(base.body);
    const cache = new MemoryCacheHandler();
    await cache.set(pinned);
    const kept = await cache.get('/a');
    expect(kept?.body.equals(base.body)).toBe(true);
    expect(kept?.body.buffer.byteLength).toBe(base.body.length);
    expect(kept?.body.buffer).not.toBe(chunk.buffer);

    const exact = { ...base, body: Buffer.from(base.body), variants: {} };
    exact.body = Buffer.allocUnsafeSlow(base.body.length);
    base.body.copy(exact.body);
    expect(compactEntry(exact)).toBe(exact);
  });

  it('keeps every field and variant when it copies', () => {
    const entry = makeEntry('/b', { tags: ['t'], buildId: 'b1' });
    const blob = Buffer.concat([Buffer.alloc(10_000), entry.body, entry.variants.br!, entry.variants.gzip!]);
    let at = 10_000;
    const view = (length: number): Buffer => blob.subarray(at, (at += length));
    const decoded = {
      ...entry,
      body: view(entry.body.length),
      variants: { br: view(entry.variants.br!.length), gzip: view(entry.variants.gzip!.length) },
    };
    const compacted = compactEntry(decoded);
    expect(compacted).not.toBe(decoded);
    expectSameEntry(compacted, entry);
  });
});
