import type { ISRRenderRequest, RenderedPage } from '../../../runtime/engine/isr-engine.js';
import { TestEngine } from './test-engine.js';

interface Gate {
  opened: Promise<void>;
  open: () => void;
}

/**
 * A {@link TestEngine} whose renders of a path can be held at their start until the test opens the
 * gate, so "a render is running" is a state the test controls instead of a timing window. Also
 * tracks how many renders run at once.
 */
export class GatedEngine extends TestEngine {
  private readonly gates = new Map<string, Gate>();
  private readonly startWaiters: Array<{ path: string; count: number; resolve: () => void }> = [];
  private readonly started = new Map<string, number>();
  /** Renders running now, and the most that ever ran at once. */
  running = 0;
  maxRunning = 0;

  /** Holds every render of `path` from now on until {@link open}. */
  hold(path: string): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gates.set(path, { opened, open });
  }

  /** Lets the held renders of `path` (and later ones) proceed. */
  open(path: string): void {
    this.gates.get(path)?.open();
    this.gates.delete(path);
  }

  /** Resolves once `count` renders of `path` have started (counted from the engine's creation). */
  startedRenders(path: string, count = 1): Promise<void> {
    if ((this.started.get(path) ?? 0) >= count) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.startWaiters.push({ path, count, resolve }));
  }

  override async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
    const path = new URL(request.url).pathname;
    const n = (this.started.get(path) ?? 0) + 1;
    this.started.set(path, n);
    for (const waiter of this.startWaiters.filter((w) => w.path === path && w.count <= n)) {
      this.startWaiters.splice(this.startWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.gates.get(path)?.opened;
      return await super.render(request);
    } finally {
      this.running--;
    }
  }
}
