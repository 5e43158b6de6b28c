import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TEMP_SUFFIX, tempFileWriterPid, writeFileAtomic } from './atomic-write.js';
import type { CacheEntry, CacheHandler } from './cache-handler.js';
import { CorruptEntryError, decodeEntry, encodeEntry } from './entry-codec.js';
import { entryFileName, isEntryFileName, readEntryFileInfo } from './entry-file.js';
import { KeyedQueue } from './keyed-queue.js';
import { createMemoryLayer, type MemoryLayer, type MemoryLayerOptions } from './memory-layer.js';
import { importPrerenderedPages, type PrerenderedImportOptions } from './prerendered-import.js';
import { TagIndex } from './tag-index.js';
import type { CacheLogger } from './cache-logger.js';
import { consoleLogger } from '../utils/logger.js';
import { mapBounded } from '../utils/map-bounded.js';

/** Default bound of the folder: 512 MiB of entry files. */
export const DEFAULT_FILESYSTEM_MAX_BYTES = 512 * 1024 * 1024;
/** Default hot layer: 32 MiB of decoded entries kept in process. */
export const DEFAULT_FILESYSTEM_MEMORY_LAYER: MemoryLayerOptions = { maxBytes: 32 * 1024 * 1024 };
/** A temp file older than this is a leftover even if a process with its writer's pid runs. */
const STALE_TEMP_FILE_MS = 60 * 60 * 1000;
/** Files read in parallel by the start-up scan. */
const SCAN_CONCURRENCY = 16;

/** Options of {@link FileSystemCacheHandler}. */
export interface FileSystemCacheHandlerOptions {
  /** Folder that holds the entry files (created if missing). Give each app its own folder. */
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

interface IndexRecord {
  fileName: string;
  bytes: number;
  tags: string[];
  createdAt: number;
}

/**
 * A {@link CacheHandler} that keeps every entry in one file of a folder, so the cache survives
 * restarts and deploys of a single server (for a fleet of servers use `RedisCacheHandler`).
 *
 * - File names are the sha256 of the key: nothing a URL contains can leave the folder.
 * - Each file holds the metadata and the bytes (see `entry-codec.ts`); writes go to a temp file
 *   in the same folder and are renamed into place, so a crash never leaves a partial entry.
 *   A damaged or truncated file found later is treated as a miss and removed.
 * - The index of keys, sizes and tags lives in memory and is rebuilt at start by scanning the
 *   folder (entries keep their original `createdAt`, so staleness stays right after a restart).
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
  /** Key → file record, in least-recently-used-first order (Map insertion order). */
  private readonly index = new Map<string, IndexRecord>();
  private readonly tags = new TagIndex();
  private readonly queue = new KeyedQueue();
  private totalBytes = 0;
  private ready: Promise<void> | undefined;

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
    this.memory = createMemoryLayer(
      options.memoryLayer === undefined ? DEFAULT_FILESYSTEM_MEMORY_LAYER : options.memoryLayer,
    );
    this.logger = options.logger ?? consoleLogger;
  }

  /** Bytes of entry files currently accounted for. */
  get sizeOnDisk(): number {
    return this.totalBytes;
  }

  /** Number of entries in the index. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Creates and scans the folder (and imports prerendered pages) unless already done.
   * Every method calls it; call it yourself to pay the scan at start-up instead of on the
   * first request.
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
    const record = this.index.get(key);
    if (!record) return undefined;
    this.touch(key, record);
    const hot = this.memory?.get(key);
    if (hot) return hot;
    let entry: CacheEntry;
    try {
      entry = decodeEntry(await readFile(join(this.directory, record.fileName)));
      if (entry.key !== key) throw new CorruptEntryError('entry belongs to another key');
    } catch (error) {
      if (!(error instanceof CorruptEntryError) && !isNotFound(error)) throw error;
      if (error instanceof CorruptEntryError) {
        this.logger.warn(`removed a damaged cache file for ${JSON.stringify(key)} (${error.message})`);
      }
      await this.queue.run(key, async () => {
        if (this.index.get(key) === record) await this.removeRecord(key, record);
      });
      return undefined;
    }
    this.memory?.set(entry);
    return entry;
  }

  async set(entry: CacheEntry): Promise<void> {
    await this.init();
    await this.store(entry);
  }

  /** {@link set} without waiting for the start-up scan (used by the scan's own import). */
  private async store(entry: CacheEntry): Promise<void> {
    const blob = encodeEntry(entry);
    const { key } = entry;
    if (blob.length > this.maxBytes) {
      // Larger than the whole cache: keep nothing rather than an outdated copy.
      this.logger.warn(`${JSON.stringify(key)} (${blob.length} bytes) exceeds the cache size and is not stored`);
      await this.queue.run(key, async () => {
        const previous = this.index.get(key);
        if (previous) await this.removeRecord(key, previous);
      });
      return;
    }
    await this.queue.run(key, async () => {
      const fileName = entryFileName(key);
      await writeFileAtomic(this.directory, fileName, blob, { fsync: this.fsync });
      const previous = this.index.get(key);
      if (previous) this.forget(key, previous);
      this.remember(key, { fileName, bytes: blob.length, tags: [...entry.tags], createdAt: entry.createdAt });
      this.memory?.set(entry);
    });
    await this.evictOverflow();
  }

  async delete(key: string): Promise<boolean> {
    await this.init();
    return this.queue.run(key, async () => {
      const record = this.index.get(key);
      if (!record) {
        this.memory?.delete(key);
        return false;
      }
      await this.removeRecord(key, record);
      return true;
    });
  }

  async keysByTag(tag: string): Promise<string[]> {
    await this.init();
    return this.tags.keys(tag);
  }

  async clear(): Promise<void> {
    await this.init();
    await Promise.all([...this.index.keys()].map((key) => this.delete(key)));
    this.memory?.clear();
  }

  /** Waits for in-flight writes; the handler stays usable. */
  async close(): Promise<void> {
    await this.queue.idle();
  }

  private async load(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const names = await readdir(this.directory);
    const found: Array<{ key: string; record: IndexRecord; mtimeMs: number }> = [];
    await mapBounded(names, SCAN_CONCURRENCY, async (name) => {
      const path = join(this.directory, name);
      if (name.endsWith(TEMP_SUFFIX)) {
        await removeAbandonedTempFile(path, name);
        return;
      }
      if (!isEntryFileName(name)) return; // not ours: leave it alone
      try {
        const info = await readEntryFileInfo(path, name);
        found.push({
          key: info.header.key,
          record: { fileName: name, bytes: info.bytes, tags: info.header.tags, createdAt: info.header.createdAt },
          mtimeMs: info.mtimeMs,
        });
      } catch (error) {
        if (isNotFound(error)) return;
        if (!(error instanceof CorruptEntryError)) throw error;
        this.logger.warn(`removed a damaged cache file ${name} (${error.message})`);
        await unlink(path).catch(() => undefined);
      }
    });
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { key, record } of found) this.remember(key, record);
    await this.evictOverflow();
    if (this.options.importPrerendered) {
      await importPrerenderedPages(this.options.importPrerendered, {
        createdAt: (key) => this.index.get(key)?.createdAt,
        set: (entry) => this.store(entry),
      });
    }
  }

  private remember(key: string, record: IndexRecord): void {
    this.index.set(key, record);
    this.totalBytes += record.bytes;
    this.tags.add(key, record.tags);
  }

  private forget(key: string, record: IndexRecord): void {
    this.index.delete(key);
    this.totalBytes -= record.bytes;
    this.tags.remove(key, record.tags);
  }

  /** Moves `key` to the most-recently-used end of the index. */
  private touch(key: string, record: IndexRecord): void {
    this.index.delete(key);
    this.index.set(key, record);
  }

  /** Removes an entry's file and bookkeeping. Call inside the key's queue slot. */
  private async removeRecord(key: string, record: IndexRecord): Promise<void> {
    this.forget(key, record);
    this.memory?.delete(key);
    await unlink(join(this.directory, record.fileName)).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }

  private async evictOverflow(): Promise<void> {
    while (this.totalBytes > this.maxBytes) {
      const oldest = this.index.entries().next();
      if (oldest.done) return;
      const [key, record] = oldest.value;
      await this.queue.run(key, async () => {
        if (this.index.get(key) === record) await this.removeRecord(key, record);
      });
    }
  }
}

/** Removes a temp file whose writer is gone (crash, `kill -9`) or that is very old. */
async function removeAbandonedTempFile(path: string, name: string): Promise<void> {
  const pid = tempFileWriterPid(name);
  try {
    const age = Date.now() - (await stat(path)).mtimeMs;
    if (pid !== undefined && isProcessAlive(pid) && age < STALE_TEMP_FILE_MS) return;
    await unlink(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
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

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

