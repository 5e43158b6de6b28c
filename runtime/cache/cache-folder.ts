import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempFileWriterPid } from './atomic-write.js';
import { isEntryFileName } from './entry-file.js';

/** Marker file that makes a folder this tier's own. */
export const FOLDER_MARKER = '.ng-isr-cache';
/** Format version written into the marker; a folder of another version is refused. */
const FORMAT_VERSION = 1;
const MARKER_TEXT = `ng-isr filesystem cache\nformat ${FORMAT_VERSION}\n`;

/** Thrown at start-up for a folder the tier must not touch. */
export class ForeignFolderError extends Error {
  override readonly name = 'ForeignFolderError';
}

/** Whether `name` is one the tier writes: an entry file or one of its temp files. */
export function isOwnFileName(name: string): boolean {
  return isEntryFileName(name) || tempFileWriterPid(name) !== undefined;
}

/**
 * Creates `directory` if needed and makes sure it is this tier's: a folder with the marker is
 * used (if its format version is this one); an empty folder, or one holding only files with the
 * tier's own naming (a cache of the previous release, which wrote no marker), gets the marker;
 * anything else is refused, so the tier never evicts, rewrites or deletes another program's files.
 * Resolves to the folder's listing (types from `readdir`, links not followed).
 */
export async function claimFolder(directory: string): Promise<Dirent[]> {
  await mkdir(directory, { recursive: true });
  const listing = await readdir(directory, { withFileTypes: true });
  const marker = listing.find((item) => item.name === FOLDER_MARKER);
  if (marker) {
    const text = marker.isFile() ? await readFile(join(directory, FOLDER_MARKER), 'utf8').catch(() => '') : '';
    const version = /^format (\d+)$/m.exec(text)?.[1];
    if (version !== String(FORMAT_VERSION)) {
      throw new ForeignFolderError(
        `FileSystemCacheHandler: ${directory} holds a cache of format ${version ?? 'unknown'} (this release reads format ${FORMAT_VERSION}); give it an empty folder or delete that one`,
      );
    }
    return listing;
  }
  const foreign = listing.find((item) => !(item.isFile() && isOwnFileName(item.name)));
  if (foreign) {
    throw new ForeignFolderError(
      `FileSystemCacheHandler: ${directory} is not empty and not an ng-isr cache folder (it holds ${JSON.stringify(foreign.name)} and no ${FOLDER_MARKER} file); give the cache a folder of its own`,
    );
  }
  await writeFile(join(directory, FOLDER_MARKER), MARKER_TEXT, { flag: 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return listing;
}

/** A temp file older than this is a leftover even if a process with its writer's pid runs. */
const STALE_TEMP_FILE_MS = 60 * 60 * 1000;

/**
 * Removes one of the tier's own temp files (by name, see `atomic-write.ts`) when it is a regular
 * file whose writer is gone (crash, `kill -9`) or that is very old. Anything else is left alone.
 */
export async function removeAbandonedTempFile(directory: string, name: string): Promise<void> {
  const pid = tempFileWriterPid(name);
  if (pid === undefined) return;
  const path = join(directory, name);
  try {
    const stats = await lstat(path);
    if (!stats.isFile()) return;
    if (isProcessAlive(pid) && Date.now() - stats.mtimeMs < STALE_TEMP_FILE_MS) return;
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
