import type { ISRRequest } from '../http/request-info.js';
import type { ISRCacheStatus } from '../http/write-entry.js';
import { errorMessage } from '../utils/logger.js';

/** What `modifyGeneratedHtml` learns about the page it edits (a shared render: no visitor in it). */
export interface GeneratedHtmlContext {
  /** The cache key the page is stored under (path + allowed query, `#name=value` for a variant). */
  key: string;
  /** The absolute URL that was rendered (on the render origin, never a visitor's Host). */
  url: string;
  /** HTTP status of the render (200, or a status opted in with `cacheStatuses`). */
  status: number;
  /** Seconds the page stays fresh. */
  revalidate: number;
  tags: readonly string[];
  /** Variant values of the page (option `variants`); empty for the plain page. */
  variants: Readonly<Record<string, string>>;
}

/**
 * Edits a rendered page once, before it is stored: the stored bytes, their ETag and the br/gzip
 * variants are made from what it returns. May be async. A throw (or a non-string) fails the
 * render: nothing is stored, a visitor's MISS gets the app's error answer (500), a regeneration
 * keeps the last good page.
 */
export type ModifyGeneratedHtml = (html: string, context: GeneratedHtmlContext) => string | Promise<string>;

/** What `modifyCachedHtml` learns about one answer from the cache. */
export interface CachedHtmlContext {
  /** The visitor's request. */
  req: ISRRequest;
  /** The cache key of the stored page. */
  key: string;
  /** How the page is answered: `HIT`, `STALE`, or `MISS` (stored by this very request). */
  cacheStatus: Exclude<ISRCacheStatus, 'BYPASS'>;
  /** HTTP status of the stored page. */
  status: number;
  /** When the stored page was rendered (ms since the epoch). */
  createdAt: number;
}

/**
 * Edits a stored page for one answer (synchronous: it runs on every cached response). The result
 * is sent uncompressed with an ETag of its own bytes; a throw (or a non-string) is logged and the
 * stored page is sent as it is.
 */
export type ModifyCachedHtml = (html: string, context: CachedHtmlContext) => string;

/** Thrown by {@link applyGeneratedHook}: the render counts as failed. */
export class HtmlHookError extends Error {}

/** True for stored answers the hooks see: pages, not redirects (which have no HTML). */
export function hasHtml(status: number): boolean {
  return status < 300 || status >= 400;
}

/** Runs `modifyGeneratedHtml`; rejects with an {@link HtmlHookError} when it throws or returns no string. */
export async function applyGeneratedHook(hook: ModifyGeneratedHtml, body: Buffer, context: GeneratedHtmlContext): Promise<Buffer> {
  let html: unknown;
  try {
    html = await hook(body.toString('utf8'), context);
  } catch (error) {
    throw new HtmlHookError(`modifyGeneratedHtml threw: ${errorMessage(error)}`);
  }
  if (typeof html !== 'string') {
    throw new HtmlHookError(`modifyGeneratedHtml returned ${html === null ? 'null' : typeof html}, not a string`);
  }
  return Buffer.from(html, 'utf8');
}
