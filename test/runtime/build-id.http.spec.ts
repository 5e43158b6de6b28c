import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemCacheHandler } from '../../runtime/cache/filesystem-cache-handler.js';
import type { CommonEngineLike } from '../../runtime/engine/common-engine-adapter.js';
import { ISRRenderContext, type ISRRenderReport } from '../../runtime/angular/isr-render-context.js';
import { buildIdSources, deriveBuildId } from '../../runtime/render/build-id.js';
import { startServer, type TestServer } from './support/test-server.js';
import type { CacheEntry, CacheHandler } from '../../runtime/cache/cache-handler.js';
import { keyTag } from '../../runtime/render/entry-namespace.js';

/** Every build's stored copy of `key` (found through the implicit per-key tag). */
async function copiesOf(cache: CacheHandler, key: string): Promise<CacheEntry[]> {
  const entries = await Promise.all((await cache.keysByTag(keyTag(key))).map((stored) => cache.get(stored)));
  return entries.filter((entry): entry is CacheEntry => entry !== undefined);
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ng-isr-build-id-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a file below the test folder and returns its path. */
async function file(path: string, content: string): Promise<string> {
  const full = join(root, path);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, content);
  return full;
}

describe('default build id (derived from the build output)', () => {
  it('is a short hash of the contents: stable for equal files, new when one changes', async () => {
    const a = await file('a/server/server.mjs', 'import "./chunk-AAAA.mjs";');
    const b = await file('b/server/server.mjs', 'import "./chunk-AAAA.mjs";');
    const c = await file('c/server/server.mjs', 'import "./chunk-BBBB.mjs";');
    const id = deriveBuildId([a]);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    // Paths do not count (every instance of one deploy agrees), contents do.
    expect(deriveBuildId([b])).toBe(id);
    expect(deriveBuildId([c])).not.toBe(id);
  });

  it('skips missing files and folders, and is undefined when nothing is readable', async () => {
    const index = await file('browser/index.server.html', '<html>main-AAAA.js</html>');
    expect(deriveBuildId([join(root, 'missing.mjs'), root, index])).toBe(deriveBuildId([index]));
    expect(deriveBuildId([join(root, 'missing.mjs'), root, undefined, ''])).toBeUndefined();
  });

  it("reads the server entry, the Angular manifest next to it, and CommonEngine's index.server.html", async () => {
    const entry = await file('dist/server/server.mjs', 'entry');
    const index = join(root, 'dist/browser/index.server.html');
    expect(buildIdSources(index, entry)).toEqual([entry, index]);
    const manifest = await file('dist/server/angular-app-manifest.mjs', 'export default { index: "main-AAAA.js" }');
    expect(buildIdSources(undefined, entry)).toEqual([entry, manifest]);
    const before = deriveBuildId(buildIdSources(undefined, entry));
    // A browser-only change (a new hashed bundle in the manifest) is a new build.
    await writeFile(manifest, 'export default { index: "main-BBBB.js" }');
    expect(deriveBuildId(buildIdSources(undefined, entry))).not.toBe(before);
  });
});

describe('a redeploy over one FileSystemCacheHandler folder', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** One deploy: a CommonEngine-shaped engine rendering `label`, with its own index.server.html. */
  async function deploy(label: string, indexHtmlContent: string, buildId?: false) {
    const renders: string[] = [];
    const commonEngine: CommonEngineLike = {
      async render(options) {
        renders.push(options.url ?? '');
        const provider = (options.providers ?? []).find(
          (p): p is { provide: unknown; useValue: ISRRenderReport } => (p as { provide?: unknown }).provide === ISRRenderContext,
        );
        provider!.useValue.revalidate = 60;
        return `<!doctype html><html><body><app-root ng-server-context="ssr">${label}</app-root></body></html>`;
      },
    };
    const indexHtml = await file(`deploys/${label}/browser/index.server.html`, indexHtmlContent);
    const cache = new FileSystemCacheHandler({ directory: join(root, 'cache') });
    const server = await startServer({
      commonEngine,
      bootstrap: () => 'app',
      indexHtml,
      browserDistFolder: join(root, `deploys/${label}/browser`),
      cache,
      // undefined: derived from the build output, as in production.
      buildId: buildId === false ? false : undefined,
    });
    servers.push(server);
    const get = async (path: string) => {
      const response = await fetch(server.base + path);
      return { cache: response.headers.get('x-isr-cache'), body: await response.text() };
    };
    return { server, cache, renders, get };
  }

  it("never serves the previous build's entry; each build keeps its own entry in the shared folder", async () => {
    const first = await deploy('first', '<html><script src="main-AAAA.js"></script></html>');
    expect(await first.get('/page')).toMatchObject({ cache: 'MISS', body: expect.stringContaining('first') });
    const [firstEntry] = await copiesOf(first.cache, '/page');
    expect(firstEntry.buildId).toMatch(/^[0-9a-f]{16}$/);
    await first.server.close();

    // A restart of the same build keeps serving its entries.
    const restart = await deploy('restart', '<html><script src="main-AAAA.js"></script></html>');
    expect(await restart.get('/page')).toMatchObject({ cache: 'HIT', body: expect.stringContaining('first') });
    expect(restart.renders).toEqual([]);
    await restart.server.close();

    // The next build (new hashed bundle names in its index.server.html): renders and stores its own copy.
    const second = await deploy('second', '<html><script src="main-BBBB.js"></script></html>');
    expect(await second.get('/page')).toMatchObject({ cache: 'MISS', body: expect.stringContaining('second') });
    expect(second.renders).toHaveLength(1);
    const ids = (await copiesOf(second.cache, '/page')).map((entry) => entry.buildId);
    expect(ids).toHaveLength(2);
    expect(ids).toContain(firstEntry.buildId);
    expect(new Set(ids).size).toBe(2);
    expect(await second.get('/page')).toMatchObject({ cache: 'HIT', body: expect.stringContaining('second') });
  });

  it('serves entries tied to no build (imported prerendered pages) under any build id', async () => {
    const unchecked = await deploy('unchecked', '<html>main-AAAA.js</html>', false);
    await unchecked.get('/page');
    expect((await unchecked.cache.get('/page'))?.buildId).toBeUndefined();
    await unchecked.server.close();
    const built = await deploy('built', '<html>main-BBBB.js</html>');
    expect(await built.get('/page')).toMatchObject({ cache: 'HIT', body: expect.stringContaining('unchecked') });
  });

  it('buildId: false shares plain-key entries between differently built instances', async () => {
    const first = await deploy('first', '<html>main-AAAA.js</html>', false);
    await first.get('/page');
    await first.server.close();
    const unchecked = await deploy('unchecked', '<html>main-BBBB.js</html>', false);
    expect(await unchecked.get('/page')).toMatchObject({ cache: 'HIT', body: expect.stringContaining('first') });
    expect(unchecked.renders).toEqual([]);
  });
});
