import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Angular application builder writes this next to `server.mjs`: routes, assets and the index HTML (hashed file names). */
const APP_MANIFEST = 'angular-app-manifest.mjs';

/**
 * A short id of the build output that changes with each build: the sha256 of the files' contents
 * (paths are left out, so every instance of one deploy agrees). Files that are missing or not
 * regular files are skipped; `undefined` when none is readable (then entries are not tied to a build).
 */
export function deriveBuildId(files: readonly (string | undefined)[]): string | undefined {
  const hash = createHash('sha256');
  let found = 0;
  for (const file of files) {
    if (file === undefined || file === '') {
      continue;
    }
    let content: Buffer;
    try {
      if (!statSync(file).isFile()) {
        continue;
      }
      content = readFileSync(file);
    } catch {
      continue;
    }
    // Length-prefixed, so that two files never hash like their concatenation.
    hash.update(`${found}:${content.length}:`).update(content);
    found++;
  }
  return found > 0 ? hash.digest('hex').slice(0, 16) : undefined;
}

/**
 * The files whose contents identify the running build: the server entry Node started
 * (`process.argv[1]`, e.g. `dist/<app>/server/server.mjs`, whose imports carry content-hashed chunk
 * names), the Angular app manifest next to it (it embeds the index HTML with the hashed browser
 * bundles), and with CommonEngine its `index.server.html`.
 */
export function buildIdSources(indexHtml: string | undefined, entry: string | undefined = process.argv[1]): string[] {
  const files: string[] = [];
  if (entry !== undefined && entry !== '') {
    files.push(entry);
    const manifest = join(dirname(entry), APP_MANIFEST);
    if (existsSync(manifest)) {
      files.push(manifest);
    }
  }
  if (indexHtml !== undefined) {
    files.push(indexHtml);
  }
  return files;
}
