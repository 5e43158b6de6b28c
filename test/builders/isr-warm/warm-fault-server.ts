import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A raw node:http server on 127.0.0.1 that misbehaves in one way per path, to drive the warm
 * builder's error handling (the contract tests run against the real ISRHandler). Pages answer
 * `x-isr-cache: MISS` unless said otherwise; sitemaps are set per path in `sitemaps`.
 */
export class WarmFaultServer {
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  /** Body of each sitemap path (served as application/xml). */
  readonly sitemaps = new Map<string, string>();
  private readonly hits = new Map<string, number>();
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  base = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.hits.clear();
    this.sitemaps.clear();
  }

  /** Times `path` was requested. */
  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push(path);
    const hit = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, hit);
    const sitemap = this.sitemaps.get(path);
    if (sitemap !== undefined) {
      res.writeHead(200, { 'content-type': path.endsWith('.html') ? 'text/html' : 'application/xml' });
      return void res.end(sitemap);
    }
    const page = (status: number, cache?: string) => {
      res.writeHead(status, { 'content-type': 'text/html', ...(cache ? { 'x-isr-cache': cache } : {}) });
      res.end(`<html><body>${path}</body></html>`);
    };
    if (path.startsWith('/ok') || path.startsWith('/page/')) return page(200, 'MISS');
    switch (path) {
      case '/flaky': // 500 once, then a page
        return hit === 1 ? page(500) : page(200, 'MISS');
      case '/always-500':
        return page(503);
      case '/no-header':
        return page(200);
      case '/hang':
        return; // never answers; stop() destroys the socket
      case '/moved':
        res.writeHead(301, { location: 'https://example.com/moved' });
        return void res.end();
      case '/shell-sitemap.xml': // what an Angular catch-all answers for a missing file
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<!doctype html><html><body><app-root></app-root></body></html>');
      default:
        return page(404);
    }
  }
}
