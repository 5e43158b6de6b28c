import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FileSystemCacheHandler } from '../../../runtime/cache/filesystem-cache-handler';
import { CapturingLogger } from '../../support/capturing-logger';
import { REPO_NODE_MODULES, transpileRuntimeFolder } from './support/transpile-runtime';
jest.setTimeout(60_000); // beforeAll transpiles runtime/cache and runtime/utils: over 5 s on a busy machine (the kill test sets its own 180 s)

const KILLS = 50;
const KEYS = 24;

/**
 * Starts the writer child, lets it announce `writesBeforeKill` writes, then SIGKILLs it: at once
 * (the kill lands wherever the child is: encoding, writing the temp file, fsync, rename), or,
 * with `onTempFile`, as soon as the next temp file appears (inside a write for sure).
 */
async function writeThenKill(
  modulePath: string,
  directory: string,
  run: number,
  writesBeforeKill: number,
  onTempFile: boolean,
): Promise<void> {
  await mkdir(directory, { recursive: true });
  let tempFileSeen: (() => void) | undefined;
  const watcher = watch(directory, (_event, name) => {
    if (name?.toString().endsWith('.ng-isr-tmp')) tempFileSeen?.();
  });
  const child = spawn(process.execPath, [join(__dirname, 'crash-writer.cjs'), modulePath, directory, String(run)], {
    env: { ...process.env, NODE_PATH: REPO_NODE_MODULES },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      seen += (chunk.toString().match(/^W /gm) ?? []).length;
      if (seen < writesBeforeKill) return;
      if (onTempFile) tempFileSeen = resolve;
      else resolve();
    });
    child.on('exit', () => reject(new Error(`writer exited on its own: ${stderr}`)));
  });
  child.kill('SIGKILL');
  watcher.close();
  expect(await exited).toBe('SIGKILL');
}

describe('FileSystemCacheHandler under kill -9', () => {
  let work: string;
  let modulePath: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ng-isr-crash-'));
    const cacheDir = await transpileRuntimeFolder('cache', join(work, 'runtime'));
    await transpileRuntimeFolder('utils', join(work, 'runtime'));
    modulePath = join(cacheDir, 'filesystem-cache-handler.js');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it(`never serves a corrupt entry after ${KILLS} writers were killed mid-write`, async () => {
    const directory = join(work, 'cache');
    let leftoverTempFiles = 0;
    let verified = 0;
    const logger = new CapturingLogger();
    for (let run = 0; run < KILLS; run++) {
      // Kill after 1..12 announced writes: varies where in a write the signal lands.
      await writeThenKill(modulePath, directory, run, 1 + ((run * 5) % 12), run % 2 === 1);
      leftoverTempFiles += (await readdir(directory)).filter((name) => name.endsWith('.ng-isr-tmp')).length;

      // Restart: every entry the scan accepts must be complete and intact.
      const cache = new FileSystemCacheHandler({ directory, memoryLayer: false, logger });
      for (let k = 0; k < KEYS; k++) {
        const entry = await cache.get(`/page/${k}/ü`);
        if (!entry) continue;
        expect(createHash('sha256').update(entry.body).digest('hex')).toBe(entry.headers['x-body-sha256']);
        expect(gunzipSync(entry.variants.gzip as Buffer).equals(entry.body)).toBe(true);
        verified++;
      }
      expect((await readdir(directory)).filter((name) => name.endsWith('.ng-isr-tmp'))).toEqual([]);
    }
    // Atomic rename: no damaged entry file is ever left behind for the scan to find.
    expect(logger.at('warn')).toEqual([]);
    expect(verified).toBeGreaterThan(KILLS);
    // Evidence that kills landed inside writes (a temp file was left behind by the dead writer).
    console.log(`crash test: ${KILLS} kills, ${leftoverTempFiles} left a partial temp file, ${verified} entries verified after restarts`);
    expect(leftoverTempFiles).toBeGreaterThanOrEqual(KILLS / 4);
  }, 180_000);
});
