import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ISRRequest } from '../http/request-info.js';
import type { CachedPage } from '../render/cached-pages.js';

/** A Node request listener as Express apps and Angular's `createNodeRequestHandler` take them. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => unknown;

/** Called with an error by {@link FastPathListener.listen} when the server cannot listen (Express 5's contract). */
export type ListenCallback = (error?: Error) => void;

/**
 * The listener `isr.fastPath(app)` returns: answers cached pages itself and hands every other
 * request to the app. `listen(...)` is Express 5's `app.listen(...)` for it.
 */
export interface FastPathListener {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** `http.createServer(listener).listen(...)`; the callback also receives a listen error, as in Express 5. */
  listen(port?: number | string, callback?: ListenCallback): Server;
  listen(port: number | string, hostname: string, callback?: ListenCallback): Server;
}

/** What the fast path uses of the handler: the middleware's own steps, nothing of its own. */
export interface FastPathSteps {
  /** The request's cache key, or `undefined` when the middleware must decide (bypass, bad Host…). */
  key(req: ISRRequest): string | undefined;
  /** The page from the tier's in-process copy: `null` = certainly not cached, `undefined` = ask {@link lookup}. */
  peek(key: string): CachedPage | null | undefined;
  /** The page from the tier, or `undefined` (not cached, or the tier fails: the middleware handles that). */
  lookup(key: string): Promise<CachedPage | undefined>;
  /** Writes the HIT or STALE answer (and schedules the regeneration of a stale page). */
  write(req: ISRRequest, res: ServerResponse, page: CachedPage): void;
}

/** Headers only Express's `trust proxy` can judge: with them, the request gets the app's request prototype first. */
function hasForwardedHeaders(req: IncomingMessage): boolean {
  const headers = req.headers;
  return (
    headers['x-forwarded-host'] !== undefined || headers['x-forwarded-proto'] !== undefined || headers['x-forwarded-port'] !== undefined
  );
}

/**
 * A request listener in front of `app`: a cacheable GET/HEAD whose page is cached is answered
 * here (synchronously when the tier has an in-process copy), before the app's router runs;
 * every other request goes to `app(req, res, next)` unchanged, where the ISR middleware decides
 * as always.
 */
export function createFastPath(app: NodeRequestListener, steps: FastPathSteps): FastPathListener {
  // Express's request prototype: `req.app` and its `trust proxy` setting, as Express would set them.
  const expressRequest = (app as { request?: unknown }).request;
  const requestPrototype = typeof expressRequest === 'object' && expressRequest !== null ? expressRequest : undefined;

  const listener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    let key: string | undefined;
    let peeked: CachedPage | null | undefined;
    try {
      if (requestPrototype !== undefined && hasForwardedHeaders(req)) {
        // What Express does first for every request anyway (app.handle / expressInit).
        Object.setPrototypeOf(req, requestPrototype);
      }
      key = steps.key(req);
      peeked = key === undefined ? null : steps.peek(key);
    } catch {
      // The middleware meets the same failure and answers it the Express way (next(error)).
      peeked = null;
    }
    if (key === undefined || peeked !== undefined) {
      answer(req, res, next, peeked ?? null);
      return;
    }
    steps.lookup(key).then(
      (page) => answer(req, res, next, page ?? null),
      () => answer(req, res, next, null),
    );
  };

  const answer = (req: IncomingMessage, res: ServerResponse, next: ((error?: unknown) => void) | undefined, page: CachedPage | null) => {
    if (page !== null) {
      try {
        steps.write(req, res, page);
        return;
      } catch (error) {
        if (res.headersSent) {
          res.destroy(error as Error);
          return;
        }
      }
    }
    void app(req, res, next);
  };

  const listen = (...args: unknown[]): Server => {
    const server = createServer(listener);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      let called = false;
      const done = (error?: Error) => {
        if (!called) {
          called = true;
          (last as ListenCallback).call(server, error);
        }
      };
      args[args.length - 1] = done;
      server.once('error', done);
    }
    return server.listen(...(args as Parameters<Server['listen']>));
  };

  return Object.assign(listener, { listen }) as FastPathListener;
}
