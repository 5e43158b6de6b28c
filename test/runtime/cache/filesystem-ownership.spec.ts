import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSystemCacheHandler } from '../../../runtime/cache/filesystem-cache-handler';
import { encodeEntry } from '../../../runtime/cache/entry-codec';
import { entryFileName } from '../../../runtime/cache/entry-file';
import { expectSameEntry, makeEntry } from './cache-handler.contract';
import { tempDirs } from './support/temp-dirs';

const tempDir = tempDirs('own');

const DEAD_PID = 2 ** 22 + 4321; // above Linux's pid_max: never a live process

describe('FileSystemCacheHandler owns only its files', () => {
  it('refuses a non-empty folder that is not its own, touching nothing', async () => {
    const directory = await tempDir();
    await writeFile(join(directory, 'photo.jpg'), 'jpeg');
    await writeFile(join(directory, 'notes.tmp'), 'draft');
    const cache = new FileSystemCacheHandler({ directory });
    await expect(cache.init()).rejects.toThrow(/is not empty and not an ng-isr cache folder/);
    await expect(cache.set(makeEntry('/'))).rejects.toThrow(/not an ng-isr cache folder/);
    expect((await readdir(directory)).sort()).toEqual(['notes.tmp', 'photo.jpg']);
  });

  it('marks a new folder as its own and refuses a marker of another format', async () => {
    const directory = join(await tempDir(), 'cache');
    const cache = new FileSystemCacheHandler({ directory });
    await cache.set(makeEntry('/'));
    expect(await readFile(join(directory, '.ng-isr-cache'), 'utf8')).toMatch(/^format 1$/m);

    const other = await tempDir();
    await writeFile(join(other, '.ng-isr-cache'), 'ng-isr filesystem cache\nformat 99\n');
    await expect(new FileSystemCacheHandler({ directory: other }).init()).rejects.toThrow(/holds a cache of format 99/);
  });

  it("leaves other programs' files, folders, links and FIFOs alone and starts without blocking", async () => {
    const directory = await tempDir();
    const outside = await tempDir();
    await new FileSystemCacheHandler({ directory }).set(makeEntry('/kept'));
    const ownTempName = `.${entryFileName('/x')}.${DEAD_PID}.0123456789ab.ng-isr-tmp`;
    await writeFile(join(directory, 'notes.tmp'), 'someone else');
    await writeFile(join(directory, `${entryFileName('/y')}.${DEAD_PID}.0123456789ab.txt`), 'someone else');
    await mkdir(join(directory, 'x.tmp'));
    await mkdir(join(directory, ownTempName)); // a folder under the tier's own temp naming
    execFileSync('mkfifo', [join(directory, entryFileName('/fifo'))]);
    await writeFile(join(outside, 'entry'), encodeEntry(makeEntry('/link')));
    await symlink(join(outside, 'entry'), join(directory, entryFileName('/link')));
    const before = (await readdir(directory)).sort();

    const cache = new FileSystemCacheHandler({ directory });
    await cache.init(); // a FIFO opened for reading without O_NONBLOCK would hang here
    expect(cache.size).toBe(1);
    expectSameEntry(await cache.get('/kept'), makeEntry('/kept'));
    expect(await cache.get('/fifo')).toBeUndefined();
    expect(await cache.get('/link')).toBeUndefined();
    await cache.set(makeEntry('/new'));
    await cache.clear();
    const after = (await readdir(directory)).sort();
    expect(after).toEqual(before.filter((name) => name !== entryFileName('/kept')));
    expect(await readFile(join(outside, 'entry'))).toEqual(encodeEntry(makeEntry('/link')));
  });
});
