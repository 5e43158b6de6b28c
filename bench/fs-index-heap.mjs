// Heap cost per entry of the filesystem tier's in-memory index, with long URLs.
// Stores N entries (200-character keys, tiny bodies, one tag), then reopens the folder (start-up
// scan) and reports heap growth per entry after a full GC, for both the writer and the scanner.
//   node --expose-gc bench/fs-index-heap.mjs [count] [urlLength]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const count = Number(process.argv[2] ?? 20_000);
const urlLength = Number(process.argv[3] ?? 200);
const runtime = join(import.meta.dirname, '..', 'dist', 'runtime');
const { FileSystemCacheHandler } = await import(pathToFileURL(join(runtime, 'cache/filesystem-cache-handler.js')).href);
const directory = mkdtempSync(join(tmpdir(), 'ng-isr-heap-'));
const options = { directory, memoryLayer: false, fsync: false, maxBytes: 4 * 1024 ** 3 };
const heap = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const key = (i) => {
  const head = `/articles/${i}/`;
  return head + 'x'.repeat(Math.max(0, urlLength - head.length));
};

try {
  const body = Buffer.from('<html>tiny</html>');
  let before = heap();
  const writer = new FileSystemCacheHandler(options);
  await writer.init();
  for (let i = 0; i < count; i += 64) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 64); j++) {
      batch.push(
        writer.set({
          key: key(j),
          status: 200,
          headers: {},
          body,
          variants: {},
          etag: '"e"',
          createdAt: Date.now(),
          revalidate: 60,
          tags: ['posts'],
        }),
      );
    }
    await Promise.all(batch);
  }
  const written = (heap() - before) / count;
  before = heap();
  const scanner = new FileSystemCacheHandler(options);
  await scanner.init();
  const scanned = (heap() - before) / count;
  if (scanner.size !== count) throw new Error(`scanned ${scanner.size} of ${count}`);
  console.log(
    JSON.stringify({ count, urlLength, heapBytesPerEntryWriter: Math.round(written), heapBytesPerEntryScan: Math.round(scanned) }),
  );
  globalThis.keep = [writer, scanner];
} finally {
  rmSync(directory, { recursive: true, force: true });
}
