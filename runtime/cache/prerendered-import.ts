import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { CacheEntry } from './cache-handler.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Options of the start-up import of prerendered pages. */
export interface PrerenderedImportOptions {
  /** The build's browser output folder (`dist/<app>/browser`, `browserDistFolder` in server.ts). */
  browserDistFolder: string;
  /**
   * `revalidate` of imported pages (default `0`: kept until invalidated or re-rendered, like the
   * static file). The route's own value applies from the first regeneration on.
   */
  revalidate?: number;
  /** Tags for every imported page. */
  tags?: string[];
  /** Build id stored with imported pages. */
  buildId?: string;
}

/** What the import needs from the tier it fills. */
export interface PrerenderedImportTarget {
  /** `createdAt` of the entry stored under `key`, or `undefined`. */
  createdAt(key: string): number | undefined;
  set(entry: CacheEntry): Promise<void>;
}

/**
 * Cache key of a prerendered file: `dist/app/browser/blog/a/index.html` → `/blog/a`,
 * the root `index.html` → `/`.
 */
export function prerenderedPageKey(browserDistFolder: string, file: string): string {
  const folder = relative(browserDistFolder, dirname(file));
  return folder === '' ? '/' : '/' + folder.split(sep).join('/');
}

/**
 * Finds `index.html` files that Angular prerendered (they carry `ng-server-context="ssg"`; the
 * plain client shell does not) and stores each as an entry, unless the cache already holds a
 * copy at least as new as the file. The files are only read.
 * Resolves to the keys imported.
 */
export async function importPrerenderedPages(
  options: PrerenderedImportOptions,
  target: PrerenderedImportTarget,
): Promise<string[]> {
  const root = options.browserDistFolder;
  let names: string[];
  try {
    names = await readdir(root, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const imported: string[] = [];
  for (const name of names) {
    if (name !== 'index.html' && !name.endsWith(`${sep}index.html`)) continue;
    const file = join(root, name);
    const key = prerenderedPageKey(root, file);
    const { mtimeMs } = await stat(file);
    const existing = target.createdAt(key);
    if (existing !== undefined && existing >= mtimeMs) continue;
    const body = await readFile(file);
    if (!body.includes('ng-server-context="ssg"')) continue;
    await target.set(await prerenderedEntry(key, body, Math.floor(mtimeMs), options));
    imported.push(key);
  }
  return imported;
}

async function prerenderedEntry(
  key: string,
  body: Buffer,
  createdAt: number,
  options: PrerenderedImportOptions,
): Promise<CacheEntry> {
  const [br, gz] = await Promise.all([
    brotli(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }),
    gzipAsync(body, { level: 9 }),
  ]);
  return {
    key,
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body,
    variants: { br, gzip: gz },
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    createdAt,
    revalidate: options.revalidate ?? 0,
    tags: options.tags ?? [],
    ...(options.buildId === undefined ? {} : { buildId: options.buildId }),
  };
}
