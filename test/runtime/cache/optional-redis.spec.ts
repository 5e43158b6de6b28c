import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_NODE_MODULES, RUNTIME_DIR, transpileRuntimeFolder } from './support/transpile-runtime';

const run = promisify(execFile);

/** `redis` is an optional peer: apps without it must build and run. */
describe('redis is optional', () => {
  it('no runtime file imports redis at module level (only `import type`)', async () => {
    const offenders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.ts')) {
          const source = await readFile(path, 'utf8');
          const statics = source.match(/^\s*import\s+(?!type\b)[^;]*from\s+['"](redis|@redis\/[^'"]+)['"]/gm) ?? [];
          const literals = source.match(/(import|require)\(\s*['"](redis|@redis\/[^'"]+)['"]\s*\)/g) ?? [];
          if (statics.length + literals.length > 0) offenders.push(path);
        }
      }
    };
    await walk(RUNTIME_DIR);
    expect(offenders).toEqual([]);
  });

  it('without the package installed: the filesystem tier works and the Redis tier explains what to install', async () => {
    const work = await mkdtemp(join(tmpdir(), 'ng-isr-noredis-'));
    try {
      const cacheDir = await transpileRuntimeFolder('cache', join(work, 'runtime'));
      await transpileRuntimeFolder('utils', join(work, 'runtime'));
      // node_modules with lru-cache only.
      await mkdir(join(work, 'node_modules'));
      await symlink(join(REPO_NODE_MODULES, 'lru-cache'), join(work, 'node_modules', 'lru-cache'), 'dir');
      const script = `
        const { FileSystemCacheHandler } = require(${JSON.stringify(join(cacheDir, 'filesystem-cache-handler.js'))});
        const { RedisCacheHandler } = require(${JSON.stringify(join(cacheDir, 'redis-cache-handler.js'))});
        (async () => {
          const fs = new FileSystemCacheHandler({ directory: ${JSON.stringify(join(work, 'fs'))} });
          const entry = { key: '/', status: 200, headers: {}, body: Buffer.from('hi'), variants: {}, etag: '"x"', createdAt: 1, revalidate: 0, tags: [] };
          await fs.set(entry);
          const got = await fs.get('/');
          const redis = new RedisCacheHandler({ url: 'redis://127.0.0.1:1', logger: { warn() {} } });
          const error = await redis.get('/').then(() => 'resolved', (e) => e.name + ': ' + e.message);
          console.log(JSON.stringify({ fs: got.body.toString(), redis: error }));
        })();
      `;
      const { stdout } = await run(process.execPath, ['-e', script], {
        cwd: work,
        env: { ...process.env, NODE_PATH: join(work, 'node_modules') },
      });
      const result = JSON.parse(stdout) as { fs: string; redis: string };
      expect(result.fs).toBe('hi');
      expect(result.redis).toMatch(/^RedisUnavailableError: .*npm install redis/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});
