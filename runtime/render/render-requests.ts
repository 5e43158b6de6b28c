import { absoluteUrl, type ISRRequest } from '../http/request-info.js';
import type { VariantRules } from '../http/variants.js';
import type { RenderRequest } from './renderer.js';

/** The only headers a render that may be stored carries (nothing of any visitor). */
const SYNTHETIC_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'text/html',
  'user-agent': 'ng-isr',
});

/**
 * Builds what the engine renders. A render whose page may be stored (a visitor's MISS, a
 * background or on-demand regeneration) gets a synthetic request for its key on the configured
 * origin: `origin + key`, no cookies, no visitor headers; a variant key adds its own values and
 * nothing else (its cookie, or its header). Only plain BYPASS renders (never stored) get the
 * visitor's own request.
 */
export class RenderRequests {
  /** Mount path seen on visitor requests (`req.baseUrl`), for `APP_BASE_HREF`. */
  private baseUrl = '';
  /** `https:` or `http:`, for per-host keys (`//host/path`). */
  private readonly protocol: string;

  /** `origin`: from configuration only (see `renderOrigin`), never from a request. */
  constructor(
    private readonly origin: string,
    private readonly variants?: VariantRules,
  ) {
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

  /**
   * A request with nothing of any visitor in it: the key (path + allowed query) on the configured
   * origin, plus the variant values a variant key names (as the cookie or header they come from).
   */
  synthetic(key: string): RenderRequest {
    if (this.variants === undefined) {
      return { url: this.urlOf(key), headers: { ...SYNTHETIC_HEADERS }, baseUrl: this.baseUrl };
    }
    const { base, values } = this.variants.parse(key);
    const headers = { ...SYNTHETIC_HEADERS, ...this.variants.headersFor(values) };
    return { url: this.urlOf(base), headers, baseUrl: this.baseUrl, variants: values };
  }

  /** Absolute URL of a page key (no variant part): `origin + key`, or `protocol + //host/path` for a per-host key. */
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
