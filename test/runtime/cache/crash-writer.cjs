// Child process for the filesystem crash test: writes entries to a FileSystemCacheHandler
// as fast as it can, announcing each write on stdout ("W <n>") so that the parent can
// SIGKILL it in the middle of one. Every entry is self-checking: header x-body-sha256 is the
// sha256 of the body and the gzip variant inflates to the body.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const { gzipSync } = require('node:zlib');

const [modulePath, directory, run] = process.argv.slice(2);
const { FileSystemCacheHandler } = require(modulePath);

const KEYS = 24;
const cache = new FileSystemCacheHandler({
  directory,
  maxBytes: 256 * 1024 * 1024,
  memoryLayer: false,
  fsync: process.env.CRASH_FSYNC === '1',
});

async function main() {
  await cache.init();
  for (let i = 0; ; i++) {
    const key = `/page/${i % KEYS}/ü`;
    // Sizes from 1 KB to ~600 KB, so that many kills land inside a write.
    const body = randomBytes(1024 + ((i * 7919) % 600_000));
    const entry = {
      key,
      status: 200,
      headers: { 'content-type': 'text/html', 'x-body-sha256': createHash('sha256').update(body).digest('hex'), 'x-run': run },
      body,
      variants: { gzip: gzipSync(body, { level: 1 }) },
      etag: `"${i}"`,
      createdAt: Date.now(),
      revalidate: 60,
      tags: [`run-${run}`, `i-${i}`],
    };
    process.stdout.write(`W ${i}\n`);
    await cache.set(entry);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
