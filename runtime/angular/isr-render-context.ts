/**
 * What the Angular app reports about one render (written by `provideISR()` during navigation,
 * read by ISRHandler once the render finished). This file has no Angular imports on purpose:
 * the handler and its tests load it without the Angular runtime.
 */
export interface ISRRenderReport {
  /** `data.revalidate` of the deepest activated route (inherited from its parents); absent = not cached. */
  revalidate?: number | null;
  /** `data.isrTags` of the deepest activated route (inherited). */
  tags?: string[];
  /** Number of HttpClient requests that failed during the render; such pages are not stored. */
  httpErrors?: number;
}

/**
 * The per-request context object. With `AngularNodeAppEngine` it is the second argument of
 * `handle(request, context)` (`inject(REQUEST_CONTEXT)` in the app); with `CommonEngine` it is
 * provided under this class as a DI token.
 */
export class ISRRenderContext implements ISRRenderReport {
  /**
   * Written by the handler before the render: the cache variant values of the page being
   * rendered (option `variants`), e.g. `{ currency: 'eur' }`; empty for the plain page. The way
   * a CommonEngine app (which never sees request headers) learns which variant it renders.
   */
  variants: Readonly<Record<string, string>> = {};
  revalidate?: number | null;
  tags?: string[];
  httpErrors = 0;
}

/** Marks the context object so that `provideISR()` never writes into a context it does not own. */
export const ISR_CONTEXT_MARKER = '__ngIsr';

/** A fresh context for one render. */
export function createRenderContext(): ISRRenderContext {
  const context = new ISRRenderContext();
  Object.defineProperty(context, ISR_CONTEXT_MARKER, { value: true, enumerable: false });
  return context;
}

/** True for objects made by {@link createRenderContext} (also across bundle copies of this file). */
export function isRenderContext(value: unknown): value is ISRRenderContext {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[ISR_CONTEXT_MARKER] === true;
}
