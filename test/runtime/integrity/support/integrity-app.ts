import express from 'express';
import { EventEmitter, once } from 'node:events';
import { IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { ISRRenderContext, type ISRRenderReport } from '../../../../runtime/angular/isr-render-context.js';
import type { AngularAppEngineLike } from '../../../../runtime/engine/angular-app-engine-adapter.js';
import type { CommonEngineLike } from '../../../../runtime/engine/common-engine-adapter.js';
import { ISRHandler } from '../../../../runtime/isr-handler.js';
import type { ISRHandlerOptions } from '../../../../runtime/isr-handler-options.js';
import type { ISREvent } from '../../../../runtime/render/isr-events.js';
import { CapturingLogger } from '../../../support/capturing-logger.js';
import type { TestServer } from '../../support/test-server.js';

/** A real Express 5 app with the handler, optionally mounted below a path and behind `trust proxy`. */
export interface IntegrityApp extends TestServer {
  port: number;
}

export interface AppSetup {
  /** Express `trust proxy` (e.g. `true` or `'loopback'`). */
  trustProxy?: boolean | string;
  /** Mount path of the handler (`app.use('/shop', …)`). */
  mount?: string;
  /** Put `isr.serveFromCache` in front of the page middleware. */
  serveFromCache?: boolean;
}

export async function startApp(options: Omit<ISRHandlerOptions, 'onEvent' | 'logger'>, setup: AppSetup = {}): Promise<IntegrityApp> {
  const events: ISREvent[] = [];
  const bus = new EventEmitter();
  const logger = new CapturingLogger();
  const isr = new ISRHandler({
    invalidateSecretToken: 's3cret',
    // Plain keys (as the shared test server uses), so tests read entries with `isr.cache.get('/path')`.
    buildId: false,
    ...options,
    logger,
    onEvent: (event) => bus.emit('event', events.push(event) && event),
  });
  const app = express();
  if (setup.trustProxy !== undefined) {
    app.set('trust proxy', setup.trustProxy);
  }
  app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
  const router = express.Router();
  if (setup.serveFromCache) {
    router.use(isr.serveFromCache);
    router.use('/static.txt', (_req, res) => {
      res.send('static file');
    });
  }
  router.use((req, res, next) => isr.handle(req, res, next));
  app.use(setup.mount ?? '/', router);
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).send('express 404');
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    isr,
    events,
    logger,
    async waitForEvent(match, since = 0) {
      // Re-reads every event since the last look, so none emitted while waiting is missed.
      let seen = since;
      for (;;) {
        const found = events.slice(seen).find(match);
        if (found !== undefined) {
          return found;
        }
        seen = events.length;
        await once(bus, 'event');
      }
    },
    async close() {
      await isr.close();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `GET target` with exactly these header lines over a socket: no client-side URL or header
 * checks, so any spelling an attacker could send reaches the server. `Connection: close` is added.
 */
export function sendRaw(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const lines = [`${method} ${target} HTTP/1.1`];
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'host')) {
      lines.push(`Host: 127.0.0.1:${port}`);
    }
    for (const [name, value] of Object.entries(headers)) {
      lines.push(`${name}: ${value}`);
    }
    lines.push('Connection: close', '', '');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'))));
    socket.write(lines.join('\r\n'), 'latin1');
  });
}

function parseAnswer(text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    let rest = body;
    for (;;) {
      const eol = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, eol), 16);
      if (!size) {
        break;
      }
      decoded += rest.slice(eol + 2, eol + 2 + size);
      rest = rest.slice(eol + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** What a fake engine was asked to render. */
export interface EngineInput {
  kind: 'node' | 'web' | 'common';
  url: string;
  headers: Record<string, string>;
  baseHref?: string;
}

function page(text: string, marker = true): string {
  const filler = '<p>lorem ipsum dolor sit amet</p>'.repeat(20);
  return `<!doctype html><html><head><link rel="canonical" href="${text}"></head><body><app-root${marker ? ' ng-server-context="ssr"' : ''}>${text}${filler}</app-root></body></html>`;
}

/** Routes of the fake engines: path → `data.revalidate` (absent = no revalidate). */
export type FakeRoutes = Record<string, number | undefined>;

/**
 * Shaped like @angular/ssr's AngularNodeAppEngine.handle(request, context): takes a Node request
 * (URL from its Host header, as Angular builds it) or a web Request, records what it got, and
 * renders a page that names the URL (like a canonical link). Hosts off `allowed` get the shell.
 */
export class FakeAppEngine implements AngularAppEngineLike {
  readonly inputs: EngineInput[] = [];
  constructor(
    private readonly routes: FakeRoutes,
    private readonly allowed: ReadonlySet<string> = new Set(['localhost', '127.0.0.1']),
  ) {}

  async handle(request: IncomingMessage | Request, context?: unknown): Promise<Response | null> {
    const isNode = request instanceof IncomingMessage;
    const headers: Record<string, string> = {};
    let url: URL;
    if (isNode) {
      for (const [name, value] of Object.entries(request.headers)) {
        headers[name] = String(value);
      }
      url = new URL(`http://${request.headers.host}${request.url ?? '/'}`);
    } else {
      request.headers.forEach((value, name) => (headers[name] = value));
      url = new URL(request.url);
    }
    this.inputs.push({ kind: isNode ? 'node' : 'web', url: url.href, headers });
    if (!(url.pathname in this.routes)) {
      return null;
    }
    if (!this.allowed.has(url.hostname)) {
      return new Response(page('csr shell', false), { headers: { 'content-type': 'text/html' } });
    }
    (context as ISRRenderReport).revalidate = this.routes[url.pathname];
    return new Response(page(url.href), { headers: { 'content-type': 'text/html;charset=UTF-8' } });
  }
}

/** Shaped like CommonEngine.render(options): records `url` and the APP_BASE_HREF provider. */
export class FakeCommonEngine implements CommonEngineLike {
  readonly inputs: EngineInput[] = [];
  constructor(private readonly routes: FakeRoutes) {}

  async render(options: { url?: string; providers?: unknown[] }): Promise<string> {
    const providers = (options.providers ?? []) as Array<{ provide: unknown; useValue: unknown }>;
    const baseHref = providers.find((p) => p.provide !== ISRRenderContext)?.useValue as string | undefined;
    this.inputs.push({ kind: 'common', url: options.url ?? '', headers: {}, baseHref });
    const url = new URL(options.url ?? '');
    const report = providers.find((p) => p.provide === ISRRenderContext)?.useValue as ISRRenderReport;
    const path = baseHref && url.pathname.startsWith(baseHref) ? url.pathname.slice(baseHref.length) || '/' : url.pathname;
    report.revalidate = this.routes[path];
    return page(url.href);
  }
}

/** CommonEngine options for {@link FakeCommonEngine}. */
export function commonEngineOptions(
  engine: FakeCommonEngine,
): Pick<ISRHandlerOptions, 'commonEngine' | 'bootstrap' | 'indexHtml' | 'browserDistFolder'> {
  return { commonEngine: engine, bootstrap: () => 'app', indexHtml: '/srv/browser/index.server.html', browserDistFolder: '/srv/browser' };
}
