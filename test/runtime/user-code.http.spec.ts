import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ISREngine } from '../../runtime/engine/isr-engine.js';
import { ISRHandler } from '../../runtime/isr-handler.js';
import type { ISRHandlerOptions } from '../../runtime/isr-handler-options.js';
import type { ISRLogger } from '../../runtime/utils/logger.js';
import { brokenCache } from './support/broken-cache.js';
import { TestEngine } from './support/test-engine.js';

/** Timers alive in this process now (jest's own included, so compare counts). */
const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

const throwingLogger: ISRLogger = {
  debug: () => {
    throw new Error('logger debug broke');
  },
  info: () => {
    throw new Error('logger info broke');
  },
  warn: () => {
    throw new Error('logger warn broke');
  },
  error: () => {
    throw new Error('logger error broke');
  },
};

describe("ISRHandler never crashes on a user's code", () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  let server: Server | undefined;
  let isr: ISRHandler | undefined;
  let base: string;

  beforeAll(() => process.on('unhandledRejection', onRejection));
  afterAll(() => process.off('unhandledRejection', onRejection));
  beforeEach(() => {
    rejections.length = 0;
  });
  afterEach(async () => {
    await isr?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** Express 4-style wiring: the promise of `isr.handle` is not awaited by anyone. */
  async function start(options: ISRHandlerOptions): Promise<void> {
    isr = new ISRHandler({
      invalidateSecretToken: 's3cret',
      logger: throwingLogger,
      onEvent: () => {
        throw new Error('listener broke');
      },
      ...options,
    });
    const handler = isr;
    const app = express();
    app.use((req, res, next) => void handler.handle(req, res, next));
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('app error handler');
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Waits past the render timeout, when a stray timer would have fired. */
  const pastTimeout = () => new Promise((resolve) => setTimeout(resolve, 120));

  it.each<[string, ISREngine['render']]>([
    [
      'throws synchronously',
      () => {
        throw new Error('sync throw');
      },
    ],
    ['rejects', () => Promise.reject(new Error('async throw'))],
    [
      'throws a non-Error',
      () => {
        throw 'a string';
      },
    ],
    ['hangs', () => new Promise(() => undefined)],
    ['returns garbage', () => 42 as never],
  ])('a custom engine that %s ends as a 500 from the app error handler, nothing unhandled', async (_name, render) => {
    await start({ engine: { render }, renderTimeoutMs: 50 });
    const responses = await Promise.all([fetch(`${base}/a`), fetch(`${base}/b?q=1`)]);
    expect(responses.map((r) => r.status)).toEqual([500, 500]);
    await pastTimeout();
    expect(rejections).toEqual([]);
  });

  it('a throwing onEvent listener and logger change no answer, including on the error and outage paths', async () => {
    const engine = new TestEngine().route('/ok', { revalidate: 60 }).route('/bad', { revalidate: 60, mode: 'throw' });
    const broken = brokenCache('down');
    await start({ engine, cache: broken });
    const ok = await fetch(`${base}/ok`);
    expect([ok.status, ok.headers.get('x-isr-cache')]).toEqual([200, 'MISS']);
    expect((await fetch(`${base}/ok`)).headers.get('x-isr-cache')).toBe('HIT');
    expect((await fetch(`${base}/bad`)).status).toBe(500);
    await pastTimeout();
    expect(rejections).toEqual([]);
  });

  it('leaves no timer behind after isr.close() (render timeouts and budget waits of a minute)', async () => {
    const before = timers();
    const engine = new TestEngine().route('/p', { revalidate: 60, delayMs: 5 }).route('/q', { revalidate: 60, mode: 'throw' });
    await start({ engine, renderTimeoutMs: 60_000, maxConcurrentRenders: 1, maxQueuedRenders: 5 });
    const paths = ['/p', '/q', '/p?x=1', '/q?x=1', '/p/2'];
    await Promise.all(paths.map((path) => fetch(base + path)));
    await isr?.close();
    isr = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    // The HTTP client's own keep-alive timers go within a second; a handler timer would stay a minute.
    const deadline = Date.now() + 3_000;
    while (timers() > before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(timers()).toBeLessThanOrEqual(before);
    expect(rejections).toEqual([]);
  });
});
