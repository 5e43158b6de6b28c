import { RenderBudget, RenderBudgetExceeded } from '../../runtime/render/render-budget.js';

/** Lets queued grants (promise callbacks) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RenderBudget', () => {
  it('runs at most maxConcurrent at once and hands a freed slot to the first waiter', async () => {
    const budget = new RenderBudget(2, 10, 60_000);
    const first = await budget.acquire('visitor');
    await budget.acquire('visitor');
    const granted: string[] = [];
    const waiting = budget.acquire('visitor').then((release) => (granted.push('third'), release));
    await settle();
    expect([budget.inFlight, budget.queued, granted]).toEqual([2, 1, []]);
    first();
    first(); // a second release of the same slot changes nothing
    const third = await waiting;
    expect([budget.inFlight, budget.queued, granted]).toEqual([2, 0, ['third']]);
    third();
    expect(budget.inFlight).toBe(1);
  });

  it('refuses with RenderBudgetExceeded (Retry-After seconds) when the queue is full', async () => {
    const budget = new RenderBudget(1, 1, 60_000);
    await budget.acquire('visitor');
    const queued = budget.acquire('visitor');
    await expect(budget.acquire('visitor')).rejects.toBeInstanceOf(RenderBudgetExceeded);
    await expect(budget.acquire('background')).rejects.toMatchObject({ retryAfterS: 1, message: expect.stringContaining('queue full') });
    expect(budget.hasRoomForBackground()).toBe(false);
    expect(budget.queued).toBe(1);
    void queued;
  });

  it('serves visitors before background renders, and a visitor takes a full queue slot from one', async () => {
    const budget = new RenderBudget(1, 2, 60_000);
    const release = await budget.acquire('visitor');
    const order: string[] = [];
    const track = (name: string, promise: Promise<() => void>) =>
      promise.then(
        (done) => {
          order.push(name);
          done();
        },
        () => order.push(`${name} refused`),
      );
    const background1 = track('background 1', budget.acquire('background'));
    const background2 = track('background 2', budget.acquire('background'));
    const visitor = track('visitor', budget.acquire('visitor'));
    await settle();
    // The visitor pushed the newest background render out; it queues ahead of the other.
    expect(order).toEqual(['background 2 refused']);
    release();
    await Promise.all([background1, background2, visitor]);
    expect(order).toEqual(['background 2 refused', 'visitor', 'background 1']);
    expect(budget.inFlight).toBe(0);
  });

  it('ends a wait after maxWaitMs and leaves no timer behind', async () => {
    const budget = new RenderBudget(1, 5, 20);
    const release = await budget.acquire('visitor');
    await expect(budget.acquire('visitor')).rejects.toMatchObject({ message: expect.stringContaining('within 20 ms') });
    expect(budget.queued).toBe(0);
    release();
    expect(budget.inFlight).toBe(0);
  });

  it('with maxQueued 0, refuses as soon as every slot is busy', async () => {
    const budget = new RenderBudget(1, 0, 60_000);
    await budget.acquire('background');
    await expect(budget.acquire('visitor')).rejects.toBeInstanceOf(RenderBudgetExceeded);
  });
});
