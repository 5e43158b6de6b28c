import express from 'express';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ISRHandler } from '../../../runtime/isr-handler.js';
import type { ISRHandlerOptions } from '../../../runtime/isr-handler-options.js';
import type { ISREvent } from '../../../runtime/render/isr-events.js';
import { CapturingLogger } from '../../support/capturing-logger.js';

export interface TestServer {
  base: string;
  isr: ISRHandler;
  events: ISREvent[];
  logger: CapturingLogger;
  /** Resolves with the first event (already seen or future) after `since` matching `match`. */
  waitForEvent(match: (event: ISREvent) => boolean, since?: number): Promise<ISREvent>;
  close(): Promise<void>;
}

/**
 * A real Express 5 server on 127.0.0.1 wired the way `ng add` wires server.ts: the invalidate
 * route with express.json() and isr.invalidateBodyErrors, then the ISR page middleware, then a 404
 * and an error handler.
 *
 * Unless `options` names `buildId` (even as `undefined`: then it is derived as in production),
 * entries are tied to no build (`buildId: false`), so tests can read them with `isr.cache.get('/path')`;
 * tests of build namespacing pass a `buildId`.
 */
/** How the server is put together beyond the handler's options. */
export interface ServerSetup {
  /** Serve through `isr.fastPath(app).listen(...)` instead of `app.listen(...)`. */
  fastPath?: boolean;
  /** Runs on the app before any route (settings such as `trust proxy`, a marker middleware). */
  configure?: (app: express.Express) => void;
}

export async function startServer(
  options: Omit<ISRHandlerOptions, 'onEvent' | 'logger'>,
  withServeFromCache = false,
  setup: ServerSetup = {},
): Promise<TestServer> {
  const events: ISREvent[] = [];
  const waiters: Array<{ match: (event: ISREvent) => boolean; since: number; resolve: (event: ISREvent) => void }> = [];
  const logger = new CapturingLogger();
  const isr = new ISRHandler({
    ...('buildId' in options ? {} : { buildId: false }),
    ...options,
    logger,
    onEvent: (event) => {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
  });
  const app = express();
  setup.configure?.(app);
  // What `ng add` generates: the body parser scoped to the route, its errors answered as JSON.
  app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
  // The seed's wiring (no body error middleware): body parser errors reach the app's error handler.
  app.post('/api/invalidate-seed', express.json(), async (req, res) => await isr.invalidate(req, res));
  // A failure before the endpoint that is no body parser error passes through the body error middleware.
  const fail = (_req: express.Request, _res: express.Response, next: express.NextFunction): void => next(new Error('not a body error'));
  app.post('/api/invalidate-broken', fail, isr.invalidate, isr.invalidateBodyErrors);
  app.post('/api/invalidate-raw', async (req, res) => await isr.invalidate(req, res));
  // Express 4's express.json() leaves `req.body = {}` (stream unread) for other content types.
  app.post(
    '/api/invalidate-express4',
    (req, _res, next) => {
      if (!(req.headers['content-type'] ?? '').includes('json')) {
        req.body = {};
      }
      next();
    },
    express.json(),
    async (req, res) => await isr.invalidate(req, res),
  );
  if (withServeFromCache) {
    app.use((req, res, next) => isr.serveFromCache(req, res, next));
    app.use('/static.txt', (_req, res) => {
      res.send('static file');
    });
  }
  app.use((req, res, next) => isr.handle(req, res, next));
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).send('express 404');
  });
  // Like Express's default handler: body-parser errors keep their status (400, 413), others are 500.
  app.use((error: { status?: unknown }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(typeof error?.status === 'number' ? error.status : 500).send('express error handler');
  });
  const server: Server = await new Promise((resolve) => {
    const listen = setup.fastPath ? isr.fastPath(app) : app;
    const listening = listen.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    isr,
    events,
    logger,
    waitForEvent(match, since = 0) {
      const seen = events.slice(since).find(match);
      if (seen) {
        return Promise.resolve(seen);
      }
      return new Promise((resolve) => waiters.push({ match, since, resolve }));
    },
    async close() {
      await isr.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request without fetch's automatic decompression, for encoding and HEAD checks. */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
