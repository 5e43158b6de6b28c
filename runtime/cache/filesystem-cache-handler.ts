import { unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { claimFolder, removeAbandonedTempFile } from './cache-folder.js';
import type { CacheEntry, CacheHandler } from './cache-handler.js';
import { CorruptEntryError, decodeEntry, encodeEntry } from './entry-codec.js';
import { fileNameId, idFileName, isEntryFileName, keyId, NotARegularFileError, readEntryFileInfo, readRegularFile } from './entry-file.js';
import { FileIndex } from './file-index.js';
import { KeyedQueue } from './keyed-queue.js';
import { createMemoryLayer, type MemoryLayer, type MemoryLayerOptions } from './memory-layer.js';
import { importPrerenderedPages, type PrerenderedImportOptions } from './prerendered-import.js';
import type { CacheLogger } from './cache-logger.js';
import { WriteOutage } from './write-outage.js';
import { consoleLogger } from '../utils/logger.js';
import { mapBounded } from '../utils/map-bounded.js';

/** Default bound of the folder: 512 MiB of entry files. */
export const DEFAULT_FILESYSTEM_MAX_BYTES = 512 * 1024 * 1024;
/** Default hot layer: 32 MiB of decoded entries kept in process. */
export const DEFAULT_FILESYSTEM_MEMORY_LAYER: MemoryLayerOptions = { maxBytes: 32 * 1024 * 1024 };
/** Files read in parallel by the start-up scan. */
const SCAN_CONCURRENCY = 16;

/** Options of {@link FileSystemCacheHandler}. */
export interface FileSystemCacheHandlerOptions {
  /**
   * Folder that holds the entry files (created if missing). Give each app its own folder: the
   * tier marks it with a `.ng-isr-cache` file and refuses a non-empty folder without one.
   */
  directory: string;
  /**
   * Upper bound of the entry files on disk, in bytes; the least recently used entries are
   * removed beyond it. Default {@link DEFAULT_FILESYSTEM_MAX_BYTES}.
   */
  maxBytes?: number;
  /**
   * Small in-process layer of hot entries so that a HIT does not read the disk.
   * Default {@link DEFAULT_FILESYSTEM_MEMORY_LAYER}; `false` turns it off.
   */
  memoryLayer?: MemoryLayerOptions | false;
  /** Flush each entry to disk before it replaces the previous one (default `true`). */
  fsync?: boolean;
  /**
   * Import the Angular build's prerendered pages (`<browser dist>/**\/index.html`) at start-up
   * as entries (the files are read, never changed or deleted).
   */
  importPrerendered?: PrerenderedImportOptions;
  /** Where warnings go (default: `console`). */
  logger?: CacheLogger;
}

/**
 * A {@link CacheHandler} that keeps every entry in one file of a folder, so the cache survives
 * restarts and deploys of a single server (for a fleet of servers use `RedisCacheHandler`).
 *
 * - File names are the sha256 of the key: nothing a URL contains can leave the folder.
 * - Each file holds the metadata and the bytes (see `entry-codec.ts`); writes go to a hidden temp
 *   file in the same folder and are renamed into place, so a crash never leaves a partial entry.
 *   A damaged or truncated file found later is treated as a miss and removed.
 * - The folder is the tier's own (`.ng-isr-cache` marker): it reads, writes and deletes only
 *   regular files with its own naming, and skips folders, links, FIFOs and sockets unopened.
 * - The in-memory index costs a fixed amount per entry (a digest of the key, the file size, the
 *   tags), whatever the URL length; it is rebuilt at start by scanning the folder (entries keep
 *   their original `createdAt`, so staleness stays right after a restart).
 * - A full, read-only or forbidden disk makes `set` reject at once (pages are still answered by
 *   the handler, without being stored) until a write succeeds again.
 * - One process per folder: the in-memory index is not shared between processes.
 *
 * Nothing happens in the constructor (Angular's build executes `server.ts`); the folder is
 * created and scanned on first use.
 */
export class FileSystemCacheHandler implements CacheHandler {
  /** Absolute path of the folder. */
  readonly directory: string;
  private readonly maxBytes: number;
  private readonly fsync: boolean;
  private readonly memory: MemoryLayer | undefined;
  private readonly logger: CacheLogger;
  private readonly index = new FileIndex();
  /** Serialises the file operations of one entry id. */
  private readonly queue = new KeyedQueue();
  private readonly writes: WriteOutage;
  private ready: Promise<void> | undefined;
  /** True once the start-up scan finished (the index is complete). */
  private loaded = false;

  constructor(private readonly options: FileSystemCacheHandlerOptions) {
    if (!options || typeof options.directory !== 'string' || options.directory === '') {
      throw new Error('FileSystemCacheHandler: the `directory` option is required');
    }
    const maxBytes = options.maxBytes ?? DEFAULT_FILESYSTEM_MAX_BYTES;
    if (!Number.isFinite(maxBytes) || maxBytes <= 0) {
      throw new Error(`FileSystemCacheHandler: maxBytes must be a positive number, got ${maxBytes}`);
    }
    this.directory = resolve(options.directory);
    this.maxBytes = maxBytes;
    this.fsync = options.fsync ?? true;
    this.memory = createMemoryLayer(options.memoryLayer === undefined ? DEFAULT_FILESYSTEM_MEMORY_LAYER : options.memoryLayer);
    this.logger = options.logger ?? consoleLogger;
    this.writes = new WriteOutage(this.directory);
  }

  /** Bytes of entry files currently accounted for. */
  get sizeOnDisk(): number {
    return this.index.totalBytes;
  }

  /** Number of entries in the index. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Claims, creates and scans the folder (and imports prerendered pages) unless already done.
   * Every method calls it; call it yourself to pay the scan (and see a refused folder) at
   * start-up instead of on the first request.
   */
  init(): Promise<void> {
    // A failed start (folder not writable, say) is retried on the next call, not remembered.
    this.ready ??= this.load().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    await this.init();
    const id = keyId(key);
    const bytes = this.index.bytes(id);
    if (bytes === undefined) return undefined;
    this.index.touch(id);
    const hot = this.memory?.get(key);
    if (hot) return hot;
    let entry: CacheEntry;
    try {
      entry = decodeEntry(await readRegularFile(this.path(id)));
      if (entry.key !== key) throw new CorruptEntryError('entry belongs to another key');
    } catch (error) {
      if (!isGone(error)) throw error;
      if (error instanceof CorruptEntryError) {
        this.logger.warn(`removed a damaged cache file for ${JSON.stringify(key)} (${error.message})`);
      }
      await this.queue.run(id, async () => {
        if (this.index.bytes(id) === bytes) await this.removeFile(id, key);
      });
      return undefined;
    }
    this.memory?.set(entry);
    return entry;
  }

  /** The memory layer's copy when the index still holds the key; `undefined` (ask {@link get}) otherwise. */
  peek(key: string): CacheEntry | undefined {
    const hot = this.loaded ? this.memory?.get(key) : undefined;
    if (hot === undefined) return undefined;
    const id = keyId(key);
    if (this.index.bytes(id) === undefined) return undefined;
    this.index.touch(id);
    return hot;
  }

  async set(entry: CacheEntry): Promise<void> {
    await this.init();
    this.writes.check();
    await this.store(entry);
  }

  /** {@link set} without waiting for the start-up scan (used by the scan's own import). */
  private async store(entry: CacheEntry): Promise<void> {
    const blob = encodeEntry(entry);
    const { key } = entry;
    const id = keyId(key);
    if (blob.length > this.maxBytes) {
      // Larger than the whole cache: keep nothing rather than an outdated copy.
      this.logger.warn(`${JSON.stringify(key)} (${blob.length} bytes) exceeds the cache size and is not stored`);
      await this.queue.run(id, () => this.removeFile(id, key));
      return;
    }
    await this.queue.run(id, async () => {
      try {
        await writeFileAtomic(this.directory, idFileName(id), blob, { fsync: this.fsync });
      } catch (error) {
        // The previous copy may be stale now (the page changed): drop it rather than serve it.
        this.memory?.delete(key);
        throw this.writes.failed(error);
      }
      this.writes.succeeded();
      this.index.add(id, blob.length, entry.tags);
      this.memory?.set(entry);
    });
    await this.evictOverflow();
  }

  async delete(key: string): Promise<boolean> {
    await this.init();
    const id = keyId(key);
    return this.queue.run(id, () => this.removeFile(id, key));
  }

  async keysByTag(tag: string): Promise<string[]> {
    await this.init();
    // The index holds no key strings: read them back from the files' headers.
    const keys = await mapBounded(this.index.idsByTag(tag), SCAN_CONCURRENCY, async (id) => {
      const name = idFileName(id);
      try {
        return (await readEntryFileInfo(join(this.directory, name), name)).header.key;
      } catch (error) {
        if (!isGone(error)) throw error;
        return undefined;
      }
    });
    return keys.filter((key): key is string => key !== undefined);
  }

  async clear(): Promise<void> {
    await this.init();
    this.memory?.clear();
    await mapBounded(this.index.ids(), SCAN_CONCURRENCY, (id) => this.queue.run(id, () => this.removeFile(id)));
  }

  /** Waits for in-flight writes; the handler stays usable. */
  async close(): Promise<void> {
    await this.queue.idle();
  }

  private async load(): Promise<void> {
    const listing = await claimFolder(this.directory);
    const found: Array<{ id: string; bytes: number; tags: string[]; mtimeMs: number }> = [];
    await mapBounded(listing, SCAN_CONCURRENCY, async (item) => {
      // Only regular files with the tier's naming; folders, links, FIFOs and sockets are skipped.
      if (!item.isFile()) return;
      const { name } = item;
      if (!isEntryFileName(name)) {
        await removeAbandonedTempFile(this.directory, name); // a no-op for names that are not its temp files
        return;
      }
      try {
        const info = await readEntryFileInfo(join(this.directory, name), name);
        found.push({ id: fileNameId(name), bytes: info.bytes, tags: info.header.tags, mtimeMs: info.mtimeMs });
      } catch (error) {
        if (!isGone(error)) throw error;
        if (error instanceof CorruptEntryError) {
          this.logger.warn(`removed a damaged cache file ${name} (${error.message})`);
          await unlink(join(this.directory, name)).catch(() => undefined);
        }
      }
    });
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { id, bytes, tags } of found) this.index.add(id, bytes, tags);
    await this.evictOverflow();
    if (this.options.importPrerendered) {
      await importPrerenderedPages(this.options.importPrerendered, {
        createdAt: (key) => this.storedCreatedAt(key),
        set: (entry) => this.store(entry),
      });
    }
    this.loaded = true;
  }

  /** `createdAt` of the stored entry of `key`, read from its file header. */
  private async storedCreatedAt(key: string): Promise<number | undefined> {
    const id = keyId(key);
    if (this.index.bytes(id) === undefined) return undefined;
    const name = idFileName(id);
    return (await readEntryFileInfo(join(this.directory, name), name).catch(() => undefined))?.header.createdAt;
  }

  private path(id: string): string {
    return join(this.directory, idFileName(id));
  }

  /** Removes an entry's file and bookkeeping; `true` when it was indexed. Call inside the id's queue slot. */
  private async removeFile(id: string, key?: string): Promise<boolean> {
    if (key !== undefined) this.memory?.delete(key);
    if (!this.index.remove(id)) return false;
    await unlink(this.path(id)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.writes.failed(error);
    });
    return true;
  }

  private async evictOverflow(): Promise<void> {
    while (this.index.totalBytes > this.maxBytes) {
      const id = this.index.oldest();
      if (id === undefined) return;
      const bytes = this.index.bytes(id);
      // The memory layer's copy (if any) ages out by itself; its key is not known here.
      await this.queue.run(id, async () => {
        if (this.index.bytes(id) === bytes) await this.removeFile(id);
      });
    }
  }
}

/** A file that vanished, is damaged, or is not a regular file: a miss, not a failure. */
function isGone(error: unknown): boolean {
  return (
    error instanceof CorruptEntryError ||
    error instanceof NotARegularFileError ||
    (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
  );
}
