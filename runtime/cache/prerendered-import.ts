import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { buildEntry } from './entry-builder.js';
import type { CacheEntry } from './cache-handler.js';

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
  createdAt(key: string): Promise<number | undefined>;
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
export async function importPrerenderedPages(options: PrerenderedImportOptions, target: PrerenderedImportTarget): Promise<string[]> {
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
    const existing = await target.createdAt(key);
    if (existing !== undefined && existing >= mtimeMs) continue;
    const body = await readFile(file);
    if (!body.includes('ng-server-context="ssg"')) continue;
    await target.set(await prerenderedEntry(key, body, Math.floor(mtimeMs), options));
    imported.push(key);
  }
  return imported;
}

/** The same stored form as a rendered page: ETag and br/gzip variants prepared once. */
function prerenderedEntry(key: string, body: Buffer, createdAt: number, options: PrerenderedImportOptions): Promise<CacheEntry> {
  return buildEntry({
    key,
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body,
    revalidate: options.revalidate ?? 0,
    tags: options.tags ?? [],
    buildId: options.buildId,
    compress: true,
    now: createdAt,
  });
}
