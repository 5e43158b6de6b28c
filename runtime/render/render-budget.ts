import { availableParallelism } from 'node:os';

/** Who waits for a render slot: visitors (misses, bypass renders) go before background work. */
export type RenderPriority = 'visitor' | 'background';

/**
 * Default `maxConcurrentRenders`: two per CPU core, at least 4 and at most 32. Node renders on one
 * thread; a few renders in flight per core keep it busy while renders wait on HTTP calls, more only
 * add memory and event-loop delay.
 */
export function defaultMaxConcurrentRenders(): number {
  return Math.min(32, Math.max(4, 2 * availableParallelism()));
}

/** Default `maxQueuedRenders`: renders waiting for a slot before new ones are refused. */
export const DEFAULT_MAX_QUEUED_RENDERS = 100;

/** A render refused by the budget: every slot busy and the wait queue full (or the wait too long). */
export class RenderBudgetExceeded extends Error {
  constructor(
    /** Seconds after which a retry is likely to find room (for `Retry-After`). */
    readonly retryAfterS: number,
    reason: string,
  ) {
    super(reason);
  }
}

interface Waiter {
  priority: RenderPriority;
  grant: (release: () => void) => void;
  refuse: (error: RenderBudgetExceeded) => void;
  timer: NodeJS.Timeout;
}

/**
 * The process-wide render budget: at most `maxConcurrent` renders run at once, at most `maxQueued`
 * wait for a slot (visitors ahead of background work), and a wait ends after `maxWaitMs`. A slot is
 * held until the engine's promise really settles, so renders abandoned by the timeout keep counting.
 */
export class RenderBudget {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Renders holding a slot now (including ones abandoned by the timeout that still run). */
  get inFlight(): number {
    return this.running;
  }

  /** Renders waiting for a slot now. */
  get queued(): number {
    return this.queue.length;
  }

  /** True when a background render asked for now would not be refused at once. */
  hasRoomForBackground(): boolean {
    return this.running < this.maxConcurrent || this.queue.length < this.maxQueued;
  }

  /**
   * Resolves with the release function of a slot; rejects with {@link RenderBudgetExceeded} when
   * the queue is full or the wait exceeds `maxWaitMs`. A visitor arriving at a full queue takes the
   * place of the newest waiting background render.
   */
  acquire(priority: RenderPriority): Promise<() => void> {
    if (this.running < this.maxConcurrent && this.queue.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueued && !(priority === 'visitor' && this.dropNewestBackground())) {
      return Promise.reject(this.exceeded('render queue full'));
    }
    return new Promise((grant, refuse) => {
      const waiter: Waiter = { priority, grant, refuse, timer: undefined as unknown as NodeJS.Timeout };
      waiter.timer = setTimeout(() => {
        this.remove(waiter);
        refuse(this.exceeded(`no render slot free within ${this.maxWaitMs} ms`));
      }, this.maxWaitMs);
      waiter.timer.unref?.();
      this.enqueue(waiter);
    });
  }

  /** Visitors queue behind visitors but ahead of every background waiter. */
  private enqueue(waiter: Waiter): void {
    if (waiter.priority === 'background') {
      this.queue.push(waiter);
      return;
    }
    const firstBackground = this.queue.findIndex((queued) => queued.priority === 'background');
    this.queue.splice(firstBackground === -1 ? this.queue.length : firstBackground, 0, waiter);
  }

  private dropNewestBackground(): boolean {
    const last = this.queue[this.queue.length - 1];
    if (last === undefined || last.priority !== 'background') {
      return false;
    }
    this.remove(last);
    clearTimeout(last.timer);
    last.refuse(this.exceeded('render queue full (a visitor took the place)'));
    return true;
  }

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index !== -1) {
      this.queue.splice(index, 1);
    }
  }

  /** A release that frees the slot once, handing it to the first waiter if any. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.queue.shift();
      if (next === undefined) {
        this.running--;
        return;
      }
      clearTimeout(next.timer);
      next.grant(this.releaser());
    };
  }

  private exceeded(reason: string): RenderBudgetExceeded {
    // A slot frees about once per render; a second is a fair first retry for a browser or CDN.
    return new RenderBudgetExceeded(1, `render budget exhausted: ${reason}`);
  }
}
