import { createRenderContext, type ISRRenderContext } from '../angular/isr-render-context.js';
import type { ISREngine, ISRRenderRequest, RenderedPage } from '../engine/isr-engine.js';
import type { ISREmit, RenderCause } from './isr-events.js';
import { TimeoutError, withTimeout } from '../utils/timeout.js';

/** A render request before the handler adds the report context and the timeout signal. */
export type RenderRequest = Omit<ISRRenderRequest, 'context' | 'signal'>;

/** Runs the engine with the render timeout and reports each render as a `render` event. */
export class Renderer {
  constructor(
    private readonly engine: ISREngine,
    private readonly timeoutMs: number,
    private readonly emit: ISREmit,
  ) {}

  /** `null` when the engine has no page for the URL; rejects on render errors and timeouts. */
  async render(
    request: RenderRequest,
    key: string | undefined,
    cause: RenderCause,
    report: ISRRenderContext = createRenderContext(),
  ): Promise<RenderedPage | null> {
    const started = performance.now();
    const page = await withTimeout(
      this.timeoutMs,
      (signal) => this.engine.render({ ...request, context: report, signal }),
      () => new TimeoutError(this.timeoutMs, 'render'),
    );
    this.emit({ type: 'render', key, cause, status: page?.status ?? null, durationMs: performance.now() - started });
    return page;
  }
}
