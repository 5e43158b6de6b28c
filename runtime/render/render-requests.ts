import { absoluteUrl, type ISRRequest } from '../http/request-info.js';
import type { RenderRequest } from './renderer.js';

/** The only headers a render that may be stored carries (nothing of any visitor). */
const SYNTHETIC_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'text/html',
  'user-agent': 'ng-isr',
});

/**
 * Builds what the engine renders. A render whose page may be stored (a visitor's MISS, a
 * background or on-demand regeneration) gets a synthetic request for its key on the configured
 * origin: `origin + key`, no cookies, no visitor headers. Only plain BYPASS renders (never
 * stored) get the visitor's own request.
 */
export class RenderRequests {
  /** Mount path seen on visitor requests (`req.baseUrl`), for `APP_BASE_HREF`. */
  private baseUrl = '';
  /** `https:` or `http:`, for per-host keys (`//host/path`). */
  private readonly protocol: string;

  /** `origin`: from configuration only (see `renderOrigin`), never from a request. */
  constructor(private readonly origin: string) {
    this.protocol = origin.slice(0, origin.indexOf('//'));
  }

  /** Remembers the mount path (`req.baseUrl`) for renders of keys. */
  rememberBaseUrl(req: ISRRequest): void {
    if (req.baseUrl !== undefined && req.baseUrl !== this.baseUrl) {
      this.baseUrl = req.baseUrl;
    }
  }

  /** The visitor's request, headers flattened: only for renders that are never stored. */
  visitor(req: ISRRequest): RenderRequest {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    return { url: absoluteUrl(req), headers, nodeRequest: req, baseUrl: req.baseUrl ?? '' };
  }

  /** A request with nothing of any visitor in it: the key (path + allowed query) on the configured origin. */
  synthetic(key: string): RenderRequest {
    return { url: this.urlOf(key), headers: { ...SYNTHETIC_HEADERS }, baseUrl: this.baseUrl };
  }

  /** Absolute URL of a key: `origin + key`, or `protocol + //host/path` for a per-host key. */
  urlOf(key: string): string {
    return key.startsWith('//') ? `${this.protocol}${key}` : `${this.origin}${key}`;
  }
}

/** Host of an absolute URL for log lines (`?` when it does not parse). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
