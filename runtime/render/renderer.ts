import { createRenderContext, type ISRRenderContext } from '../angular/isr-render-context.js';
import type { ISREngine, ISRRenderRequest, RenderedPage } from '../engine/isr-engine.js';
import type { ISREmit, RenderCause } from './isr-events.js';
import type { RenderBudget } from './render-budget.js';
import { TimeoutError, withTimeout } from '../utils/timeout.js';

/** A render request before the handler adds the report context and the timeout signal. */
export type RenderRequest = Omit<ISRRenderRequest, 'context' | 'signal'>;

/**
 * Runs the engine inside the render budget and with the render timeout (its AbortSignal reaches
 * the engine), and reports each render as a `render` event. A render abandoned by the timeout
 * keeps its budget slot and its key stays "rendering" until the engine really settles.
 */
export class Renderer {
  /** Keys with an engine render still running, with how many (abandoned ones included). */
  private readonly runningKeys = new Map<string, number>();

  constructor(
    private readonly engine: ISREngine,
    private readonly timeoutMs: number,
    private readonly budget: RenderBudget,
    private readonly emit: ISREmit,
  ) {}

  /** True while an engine render of `key` runs (also one the timeout gave up on). */
  isRendering(key: string): boolean {
    return this.runningKeys.has(key);
  }

  /**
   * `null` when the engine has no page for the URL; rejects on render errors, timeouts and with
   * `RenderBudgetExceeded` when no render slot is free.
   */
  async render(
    request: RenderRequest,
    key: string | undefined,
    cause: RenderCause,
    report: ISRRenderContext = createRenderContext(),
  ): Promise<RenderedPage | null> {
    const release = await this.budget.acquire(cause === 'miss' || cause === 'bypass' ? 'visitor' : 'background');
    const started = performance.now();
    const page = await withTimeout(
      this.timeoutMs,
      (signal) => {
        const work = this.start({ ...request, context: report, signal });
        this.track(key, work, release);
        return work;
      },
      () => new TimeoutError(this.timeoutMs, 'render'),
    );
    this.emit({ type: 'render', key, cause, status: page?.status ?? null, durationMs: performance.now() - started });
    return page;
  }

  /** Calls the engine; a synchronous throw or a non-promise answer becomes a promise. */
  private start(request: ISRRenderRequest): Promise<RenderedPage | null> {
    try {
      return Promise.resolve(this.engine.render(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Holds the slot and the key's mark until `work` settles, however late. */
  private track(key: string | undefined, work: Promise<unknown>, release: () => void): void {
    if (key !== undefined) {
      this.runningKeys.set(key, (this.runningKeys.get(key) ?? 0) + 1);
    }
    const done = (): void => {
      release();
      if (key !== undefined) {
        const left = (this.runningKeys.get(key) ?? 1) - 1;
        if (left === 0) {
          this.runningKeys.delete(key);
        } else {
          this.runningKeys.set(key, left);
        }
      }
    };
    work.then(done, done);
  }
}
