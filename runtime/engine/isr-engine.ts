import type { IncomingMessage } from 'node:http';
import type { ISRRenderContext } from '../angular/isr-render-context.js';

/** What an engine produced for one request. */
export interface RenderedPage {
  status: number;
  /** Response headers; names in any case, `set-cookie` may be an array. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One render the handler asks an engine for. */
export interface ISRRenderRequest {
  /** Absolute URL to render (`http://host/path?query`). */
  url: string;
  /** Headers of the request to render; for background renders only `accept` and `user-agent` (no visitor headers). */
  headers: Record<string, string>;
  /**
   * The visitor's request for foreground renders (engines that validate Host or forwarded
   * headers read them from here); absent for background (synthetic) renders.
   */
  nodeRequest?: IncomingMessage;
  /**
   * The cache variant values this render is for (option `variants`), e.g. `{ currency: 'eur' }`;
   * the same values are in `headers` as the cookie or header they come from. Synthetic renders only.
   */
  variants?: Readonly<Record<string, string>>;
  /** Mount path of the handler (`req.baseUrl`), for `APP_BASE_HREF`. */
  baseUrl: string;
  /** Object the app writes its {@link ISRRenderReport} into (`REQUEST_CONTEXT` / provider). */
  context: ISRRenderContext;
  /** Aborted when the render timed out. */
  signal: AbortSignal;
}

/**
 * Adapter between ISRHandler and an Angular engine (or any renderer). `null` = the engine has no
 * page for this URL (the handler calls `next()`). Rejections are render errors.
 */
export interface ISREngine {
  render(request: ISRRenderRequest): Promise<RenderedPage | null>;
}
