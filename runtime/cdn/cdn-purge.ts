import { cacheKeyFor } from '../http/cache-key.js';
import type { ISREmit } from '../render/isr-events.js';
import { errorMessage, type ISRLogger } from '../utils/logger.js';
import type { CdnOptions } from './cdn-options.js';
import type { PurgeRequest } from './purger.js';
import { cdnKeyTag, tagFits } from './tag-header.js';

/** What the purgers made of one invalidation, merged into the invalidate answer. */
export interface PurgeResults {
  /** Purgers that purged everything asked. */
  purged: string[];
  /** Purger name → reason, for purgers that failed (the pages were still invalidated here). */
  purgeFailed: Record<string, string>;
}

/** How request URLs map to cache keys (the handler's key rules). */
export interface PurgeKeyRules {
  allowedQueryParams: ReadonlySet<string>;
  isTracking: (name: string) => boolean;
}

/** The public origin without a trailing slash; throws a TypeError for anything but an http(s) origin. */
function publicOriginOf(value: string | undefined): string {
  let url: URL | undefined;
  try {
    url = value === undefined ? undefined : new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname.length > 1 || url.search || url.hash) {
    throw new TypeError('ISRHandler: cdn.purgers needs cdn.publicOrigin, the site\'s public origin such as "https://www.example.com"');
  }
  return url.origin;
}

/**
 * Tells the configured purgers about the pages an invalidation touched. Runs after the
 * regenerations (so a CDN refetch gets the new page); purgers run side by side and a failing one
 * never fails the invalidation, it is reported in `purgeFailed`.
 */
export class CdnPurge {
  private readonly origin: string;

  constructor(
    private readonly options: CdnOptions & { purgers: NonNullable<CdnOptions['purgers']> },
    private readonly keyRules: PurgeKeyRules,
    private readonly logger: ISRLogger,
    private readonly emit: ISREmit,
  ) {
    this.origin = publicOriginOf(options.publicOrigin);
  }

  /** The purge request for invalidated URLs (paths, absolute URLs or keys) and tags. */
  requestFor(urls: readonly string[], tags: readonly string[]): PurgeRequest {
    const keys = new Set<string>();
    for (const url of urls) {
      let parsed: URL;
      try {
        parsed = new URL(url, this.origin);
      } catch {
        continue;
      }
      const key = cacheKeyFor(parsed.pathname + parsed.search, this.keyRules.allowedQueryParams, this.keyRules.isTracking);
      if (key.cacheable) {
        keys.add(key.key);
      }
    }
    const kind = this.options.tagHeader;
    const allTags = new Set([...tags, ...[...keys].map(cdnKeyTag)]);
    return {
      urls: [...keys].map((key) => this.origin + key),
      // A tag the CDN header could not carry is on no CDN object; Fastly fails a whole request over a key > 1 KB.
      tags: [...allTags].filter((tag) => kind === undefined || tagFits(kind, tag)),
    };
  }

  /** Runs every purger; resolves with who purged and who failed (never rejects). */
  async purge(urls: readonly string[], tags: readonly string[]): Promise<PurgeResults> {
    const request = this.requestFor(urls, tags);
    const results: PurgeResults = { purged: [], purgeFailed: {} };
    if (request.urls.length === 0 && request.tags.length === 0) {
      return results;
    }
    await Promise.all(
      this.options.purgers.map(async (purger) => {
        const started = performance.now();
        try {
          await purger.purge(request);
          results.purged.push(purger.name);
          this.emit({
            type: 'purge',
            provider: purger.name,
            ok: true,
            urls: request.urls.length,
            tags: request.tags.length,
            durationMs: performance.now() - started,
          });
        } catch (error) {
          const reason = errorMessage(error);
          results.purgeFailed[purger.name] = reason;
          this.logger.warn(`CDN purge failed: ${reason}; the CDN keeps its copies until they expire`);
          this.emit({
            type: 'purge',
            provider: purger.name,
            ok: false,
            urls: request.urls.length,
            tags: request.tags.length,
            durationMs: performance.now() - started,
            reason,
          });
        }
      }),
    );
    return results;
  }
}
