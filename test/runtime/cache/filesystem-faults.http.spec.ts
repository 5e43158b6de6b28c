import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSystemCacheHandler } from '../../../runtime/cache/filesystem-cache-handler';
import { CacheWriteUnavailableError, WriteOutage } from '../../../runtime/cache/write-outage';
import { TestEngine } from '../support/test-engine';
import { startServer } from '../support/test-server';
import { expectSameEntry, makeEntry } from './cache-handler.contract';
import { tempDirs } from './support/temp-dirs';

/**
 * Real faults, no fs mocks: a 256 KiB tmpfs that fills up (ENOSPC) and a read-only bind mount
 * (EROFS). Both need root with mount permission (CI runs as root in a container that allows it).
 */
function mountAllowed(): boolean {
  const probe = execFileSync('mktemp', ['-d']).toString().trim();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rmdir', [probe]);
  }
}
const canMount = mountAllowed();
if (!canMount) console.warn('filesystem-faults: skipping the ENOSPC/EROFS cases: mount is not permitted here (run as root)');
const itMounted = canMount ? it : it.skip;

const tempDir = tempDirs('fault');
const mounts: string[] = [];
afterEach(() => {
  for (const dir of mounts.splice(0).reverse()) execFileSync('umount', [dir]);
});

function tempFiles(names: string[]): string[] {
  return names.filter((name) => name.endsWith('.ng-isr-tmp'));
}

/** Fills the tmpfs holding `directory` with a file of its own (left alone by the tier). */
async function fillDisk(directory: string): Promise<void> {
  await writeFile(join(directory, 'filler'), Buffer.alloc(512 * 1024)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOSPC') throw error;
  });
}

describe('FileSystemCacheHandler on a full or read-only disk', () => {
  itMounted('disk full (real tmpfs): set rejects with ENOSPC, leaves no temp file, and rejects the next writes at once', async () => {
    const directory = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', directory]);
    mounts.push(directory);
    const cache = new FileSystemCacheHandler({ directory, fsync: false, memoryLayer: false });
    await cache.set(makeEntry('/before'));
    await fillDisk(directory);

    const failure = await cache.set(makeEntry('/big', { bodyBytes: 64 * 1024 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CacheWriteUnavailableError);
    expect((failure as CacheWriteUnavailableError).code).toBe('ENOSPC');
    expect(tempFiles(await readdir(directory))).toEqual([]);
    // Within the retry window the tier does not touch the disk: the same error, no new file.
    await expect(cache.set(makeEntry('/next'))).rejects.toBe(failure);
    expectSameEntry(await cache.get('/before'), makeEntry('/before'));
    expect(await cache.get('/big')).toBeUndefined();
  });

  itMounted('disk full behind ISRHandler: 20 concurrent pages are all answered, one warning for the outage', async () => {
    const directory = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', directory]);
    mounts.push(directory);
    const cache = new FileSystemCacheHandler({ directory, fsync: false });
    await cache.init();
    await fillDisk(directory);
    const engine = new TestEngine();
    for (let i = 0; i < 20; i++) engine.route(`/p${i}`, { revalidate: 60 });
    const server = await startServer({ engine, cache, invalidateSecretToken: 't' });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const response = await fetch(`${server.base}/p${i}`);
          return { status: response.status, body: await response.text() };
        }),
      );
      for (const [i, answer] of answers.entries()) {
        expect(answer.status).toBe(200);
        expect(answer.body).toContain(`/p${i} render #`);
      }
      expect(server.logger.at('warn').filter((line) => /ENOSPC/.test(line))).toHaveLength(1);
      expect(tempFiles(await readdir(directory))).toEqual([]);
      expect(cache.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  itMounted('read-only folder (bind mount): stored pages are still HITs, new pages answered without storing', async () => {
    const directory = await tempDir();
    const writer = new FileSystemCacheHandler({ directory });
    await writer.set(makeEntry('/stored', { revalidate: 0 }));
    execFileSync('mount', ['--bind', directory, directory]);
    mounts.push(directory);
    execFileSync('mount', ['-o', 'remount,ro,bind', directory]);

    const cache = new FileSystemCacheHandler({ directory, memoryLayer: false });
    expectSameEntry(await cache.get('/stored'), makeEntry('/stored', { revalidate: 0 }));
    const failure = await cache.set(makeEntry('/new')).catch((error: unknown) => error);
    expect((failure as CacheWriteUnavailableError).code).toBe('EROFS');
    expect(tempFiles(await readdir(directory))).toEqual([]);
  });
});

describe('WriteOutage', () => {
  it('refuses writes for one retry window after an outage error, then lets the next one try', () => {
    let now = 1_000;
    const outage = new WriteOutage('/cache', () => now);
    const error = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const failure = outage.failed(error);
    expect(failure).toBeInstanceOf(CacheWriteUnavailableError);
    expect(() => outage.check()).toThrow(/takes no writes \(ENOSPC\)/);
    now += 999;
    expect(() => outage.check()).toThrow(CacheWriteUnavailableError);
    now += 1;
    expect(() => outage.check()).not.toThrow();
    outage.succeeded();
    const other = new Error('bug');
    expect(outage.failed(other)).toBe(other);
    expect(() => outage.check()).not.toThrow();
  });
});
