import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Suffix of this tier's in-progress files; readers and the start-up scan never take them for entries. */
export const TEMP_SUFFIX = '.ng-isr-tmp';
/** Own temp files: `.<entry file>.<pid>.<12 hex>.ng-isr-tmp`. */
const TEMP_PATTERN = /^\.[0-9a-f]{64}\.isr\.(\d+)\.[0-9a-f]{12}\.ng-isr-tmp$/;
/** Temp files of the previous release (`<entry file>.<pid>.<12 hex>.tmp`), cleaned up the same way. */
const LEGACY_TEMP_PATTERN = /^[0-9a-f]{64}\.isr\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Name of a temporary file for `finalName`: hidden, carrying the writer's pid (so that a start-up
 * scan can tell a crashed writer's leftovers from a live writer's file) and a suffix no other
 * program uses, so the tier never mistakes someone else's `*.tmp` for its own.
 */
export function tempFileName(finalName: string): string {
  return `.${finalName}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
}

/** The writer pid encoded in one of this tier's temp file names, or `undefined` when the name is not one. */
export function tempFileWriterPid(name: string): number | undefined {
  const match = TEMP_PATTERN.exec(name) ?? LEGACY_TEMP_PATTERN.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Writes `data` to `directory/finalName` so that readers see either the old file or the complete
 * new one, never a partial file: write a temp file in the same folder (same filesystem, so the
 * rename is atomic), flush it to disk, then rename it over the target. On any failure (a full
 * or read-only disk) the temp file is removed before the error propagates.
 */
export async function writeFileAtomic(directory: string, finalName: string, data: Buffer, options: { fsync: boolean }): Promise<void> {
  const tempPath = join(directory, tempFileName(finalName));
  let renamed = false;
  try {
    const handle = await open(tempPath, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      // Without fsync a power loss after the rename could expose an empty file; the codec's
      // length and digest checks catch that too, so this is an option for slow disks.
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, join(directory, finalName));
    renamed = true;
  } finally {
    if (!renamed) await unlink(tempPath).catch(() => undefined);
  }
}
