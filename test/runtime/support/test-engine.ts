import type { ISREngine, ISRRenderRequest, RenderedPage } from '../../../runtime/engine/isr-engine.js';

/** How the test engine answers one path. */
export interface TestRoute {
  revalidate?: number;
  tags?: string[];
  status?: number;
  headers?: Record<string, string | string[]>;
  /**
   * 'throw' rejects, 'hang' never settles (until aborted), 'stuck' ignores the abort signal and
   * settles only at {@link TestEngine.unstick}, 'none' = no page (null).
   */
  mode?: 'ok' | 'throw' | 'hang' | 'stuck' | 'none';
  /** Client-side shell instead of a server render (no ng-server-context="ssr"). */
  csr?: boolean;
  /** HttpClient failures the app would report. */
  httpErrors?: number;
  /** Milliseconds the render takes. */
  delayMs?: number;
}

/**
 * A renderer standing in for Angular: counts renders per path, can be slowed, made to throw or
 * to hang, and writes the report into the context like provideISR() does.
 */
export class TestEngine implements ISREngine {
  readonly routes = new Map<string, TestRoute>();
  readonly requests: ISRRenderRequest[] = [];
  /** Renders running now, and the most that ever ran at once. */
  inFlight = 0;
  peakInFlight = 0;
  private readonly counts = new Map<string, number>();
  private stuck: Array<() => void> = [];
  /** After `unstick()`, 'stuck' renders no longer block (so a failed test's teardown cannot hang). */
  private released = false;

  route(path: string, route: TestRoute): this {
    this.routes.set(path, route);
    return this;
  }

  /** Renders of `path` so far (any query). */
  renders(path?: string): number {
    if (path === undefined) {
      return [...this.counts.values()].reduce((a, b) => a + b, 0);
    }
    return this.counts.get(path) ?? 0;
  }

  /** Lets every 'stuck' render go on (they then fail, as a render that noticed its abort late). */
  unstick(): void {
    this.released = true;
    const stuck = this.stuck;
    this.stuck = [];
    stuck.forEach((release) => release());
  }

  async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      return await this.renderNow(request);
    } finally {
      this.inFlight--;
    }
  }

  private async renderNow(request: ISRRenderRequest): Promise<RenderedPage | null> {
    this.requests.push(request);
    const url = new URL(request.url);
    const path = url.pathname;
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    const route = this.routes.get(path);
    if (!route || route.mode === 'none') {
      return null;
    }
    if (route.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, route.delayMs));
    }
    if (route.mode === 'throw') {
      throw new Error(`engine failure on ${path}`);
    }
    if (route.mode === 'stuck') {
      if (!this.released) {
        await new Promise<void>((resolve) => this.stuck.push(resolve));
      }
      throw new Error(`stuck render of ${path} ended`);
    }
    if (route.mode === 'hang') {
      await new Promise<never>((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
    }
    request.context.revalidate = route.revalidate;
    request.context.tags = route.tags;
    request.context.httpErrors = route.httpErrors ?? 0;
    const marker = route.csr ? '' : ' ng-server-context="ssr"';
    // Padding makes the page large enough to be compressed.
    const filler = '<p>lorem ipsum dolor sit amet</p>'.repeat(20);
    const body = `<!doctype html><html><head><title>${path}</title></head><body><app-root${marker}><h1>${path}${url.search} render #${n}</h1>${filler}</app-root></body></html>`;
    return {
      status: route.status ?? 200,
      headers: { 'content-type': 'text/html; charset=utf-8', ...route.headers },
      body: Buffer.from(body),
    };
  }
}

/** The `render #n` number in a page body. */
export function renderNumber(body: string): number {
  const match = /render #(\d+)/.exec(body);
  return match ? Number(match[1]) : NaN;
}
