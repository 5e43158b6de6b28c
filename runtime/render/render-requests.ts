import { absoluteUrl, firstAllowedHost, type ISRRequest } from '../http/request-info.js';
import type { RenderRequest } from './renderer.js';

/**
 * Builds what the engine renders: the visitor's own request for foreground renders, and for
 * background ones a synthetic request with nothing of any visitor in it (path + allowed query
 * on an allowed origin).
 */
export class RenderRequests {
  /** Origin of the last visitor request whose render was stored (an origin the app accepts). */
  private learnedOrigin?: string;
  /** Mount path seen on visitor requests, reused for background renders. */
  private baseUrl = '';

  /** `configuredOrigin`: the `regenerationOrigin` option. */
  constructor(private readonly configuredOrigin: string | undefined) {}

  /** Remembers the mount path (`req.baseUrl`) for background renders. */
  rememberBaseUrl(req: ISRRequest): void {
    if (req.baseUrl !== undefined && req.baseUrl !== this.baseUrl) {
      this.baseUrl = req.baseUrl;
    }
  }

  /** Remembers the origin of a visitor render that was stored (the app accepted it). */
  learnOrigin(url: string): void {
    this.learnedOrigin = originOf(url);
  }

  /** The visitor's request, headers flattened. */
  visitor(req: ISRRequest): RenderRequest {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    return { url: absoluteUrl(req), headers, nodeRequest: req, baseUrl: req.baseUrl ?? '' };
  }

  /** A request with nothing of any visitor in it: path + allowed query on an allowed host. */
  synthetic(key: string): RenderRequest {
    return {
      url: `${this.origin()}${key}`,
      headers: { accept: 'text/html', 'user-agent': 'ng-isr-regeneration' },
      baseUrl: this.baseUrl,
    };
  }

  private origin(): string {
    if (this.configuredOrigin !== undefined) {
      return this.configuredOrigin;
    }
    const host = firstAllowedHost(process.env['NG_ALLOWED_HOSTS']);
    return host !== undefined ? `http://${host}` : (this.learnedOrigin ?? 'http://localhost');
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
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
