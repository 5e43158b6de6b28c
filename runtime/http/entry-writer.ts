import type { ServerResponse } from 'node:http';
import type { CacheEntry } from '../cache/cache-handler.js';
import { etagOf } from '../cache/entry-builder.js';
import { hasHtml, type ModifyCachedHtml } from '../render/html-hooks.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import type { ISRRequest } from './request-info.js';
import { writeEntry, type ISRCacheStatus } from './write-entry.js';

/**
 * Writes answers from stored entries. Without `modifyCachedHtml` it is {@link writeEntry} itself
 * (the stored bytes and pre-compressed variants, no copy). With it, each answer costs a UTF-8
 * decode, the hook, an encode and a SHA-256 of the result (its ETag, so `304` still works when
 * the hook's output is stable), and is sent uncompressed: the stored br/gzip belong to the stored
 * bytes, not to the edited ones.
 */
export class EntryWriter {
  /** A failing hook is logged at `warn` once per handler, then at `debug`. */
  private warned = false;

  constructor(
    private readonly hook: ModifyCachedHtml | undefined,
    private readonly logger: ISRLogger,
  ) {}

  write(
    req: ISRRequest,
    res: ServerResponse,
    entry: CacheEntry,
    status: Exclude<ISRCacheStatus, 'BYPASS'>,
    cacheControl: string | undefined,
    cacheStatus: string,
  ): void {
    if (this.hook === undefined || !hasHtml(entry.status)) {
      return writeEntry(req, res, entry, status, cacheControl, cacheStatus);
    }
    const edited = this.edit(this.hook, req, entry, status);
    writeEntry(req, res, edited ?? entry, status, cacheControl, cacheStatus);
  }

  /** The entry with the hook's bytes (no variants, their ETag), or `undefined` when the hook failed. */
  private edit(
    hook: ModifyCachedHtml,
    req: ISRRequest,
    entry: CacheEntry,
    status: Exclude<ISRCacheStatus, 'BYPASS'>,
  ): CacheEntry | undefined {
    let html: unknown;
    try {
      html = hook(entry.body.toString('utf8'), {
        req,
        key: entry.key,
        cacheStatus: status,
        status: entry.status,
        createdAt: entry.createdAt,
      });
      if (typeof html !== 'string') {
        throw new TypeError(`it returned ${html === null ? 'null' : typeof html}, not a string`);
      }
    } catch (error) {
      const line = `modifyCachedHtml failed for ${entry.key}: ${errorMessage(error)}; serving the stored page unchanged`;
      if (this.warned) {
        this.logger.debug?.(line);
      } else {
        this.warned = true;
        this.logger.warn(`${line} (further failures are logged at debug level)`);
      }
      return undefined;
    }
    const body = Buffer.from(html, 'utf8');
    return { ...entry, body, variants: {}, etag: etagOf(body) };
  }
}
