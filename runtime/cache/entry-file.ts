import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CorruptEntryError, FRAME_PREFIX_BYTES, frameLength, parseHeader, readHeaderLength, type EntryHeader } from './entry-codec.js';

/** Extension of complete entry files. */
export const ENTRY_SUFFIX = '.isr';
const ENTRY_FILE_PATTERN = /^[0-9a-f]{64}\.isr$/;

/**
 * File name for a cache key: the sha256 of the key in hex. Whatever the key holds (`..`,
 * slashes, NUL, thousands of characters, unicode), the name is 68 safe characters, so no key
 * can address a file outside the cache folder and distinct keys (`/a__b`, `/a/b`) never share one.
 */
export function entryFileName(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex') + ENTRY_SUFFIX;
}

/**
 * Fixed-size id of a key for in-memory indexes: its sha256 as a 32-character one-byte string
 * (about 48 bytes of heap whatever the URL length). The entry file name derives from it.
 */
export function keyId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest().toString('latin1');
}

/** The entry file name of a {@link keyId}. */
export function idFileName(id: string): string {
  return Buffer.from(id, 'latin1').toString('hex') + ENTRY_SUFFIX;
}

/** The {@link keyId} an entry file name was derived from. */
export function fileNameId(name: string): string {
  return Buffer.from(name.slice(0, 64), 'hex').toString('latin1');
}

/** Thrown for a path that is not a regular file (a folder, FIFO, socket or link put there). */
export class NotARegularFileError extends Error {
  override readonly name = 'NotARegularFileError';
}

/** Opens flags: never follow a link, never block on a FIFO (Windows lacks both flags). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Opens `path` for reading only when it is a regular file; anything else closes at once and
 * throws {@link NotARegularFileError}, without waiting on a FIFO's writer or following a link.
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new NotARegularFileError(`${path} is a link`);
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new NotARegularFileError(`${path} is not a regular file`);
  }
  return handle;
}

/** The whole content of the regular file at `path` (see {@link openRegularFile}). */
export async function readRegularFile(path: string): Promise<Buffer> {
  const handle = await openRegularFile(path);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Whether `name` looks like a file {@link entryFileName} produces. */
export function isEntryFileName(name: string): boolean {
  return ENTRY_FILE_PATTERN.test(name);
}

/** What the start-up scan learns from a file without reading its payload. */
export interface EntryFileInfo {
  header: EntryHeader;
  /** Size of the file in bytes. */
  bytes: number;
  /** Last modification time (ms), used to order entries for eviction after a restart. */
  mtimeMs: number;
}

/**
 * Reads only the framing and header of an entry file and checks that the file is exactly as
 * long as the header says and belongs to the key its name was derived from. Throws
 * {@link CorruptEntryError} for anything else (truncated, foreign or damaged files).
 */
export async function readEntryFileInfo(path: string, name: string): Promise<EntryFileInfo> {
  const handle = await openRegularFile(path);
  try {
    const stats = await handle.stat();
    const prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
    const { bytesRead } = await handle.read(prefix, 0, FRAME_PREFIX_BYTES, 0);
    const headerLength = readHeaderLength(prefix.subarray(0, bytesRead));
    if (FRAME_PREFIX_BYTES + headerLength > stats.size) throw new CorruptEntryError('truncated header');
    const json = Buffer.alloc(headerLength);
    await handle.read(json, 0, headerLength, FRAME_PREFIX_BYTES);
    const header = parseHeader(json);
    if (frameLength(headerLength, header) !== stats.size) {
      throw new CorruptEntryError('file length does not match the header');
    }
    if (entryFileName(header.key) !== name) throw new CorruptEntryError('file name does not match its key');
    return { header, bytes: stats.size, mtimeMs: stats.mtimeMs };
  } finally {
    await handle.close();
  }
}
