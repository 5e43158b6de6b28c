import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ISRHandler, MemoryCacheHandler, type ISREngine, type ISRRenderRequest, type RenderedPage } from '../../../runtime/index';

// The public entry also exports provideISR(), which loads Angular's ESM-only packages at import
// time; jest's CommonJS runtime cannot load them, and the server side under test never calls it.
jest.mock('@angular/common', () => ({}));
jest.mock('@angular/common/http', () => ({}));
jest.mock('@angular/core', () => ({ InjectionToken: class {} }));
jest.mock('@angular/router', () => ({}));

/** How the stand-in renderer answers one path. */
export interface PageRoute {
  revalidate?: number;
  status?: number;
}

/**
 * A renderer standing in for Angular (jest cannot load Angular's ESM packages): counts renders
 * per path and reports `revalidate` through the render context like provideISR() does.
 */
export class CountingEngine implements ISREngine {
  readonly routes = new Map<string, PageRoute>();
  private readonly counts = new Map<string, number>();

  route(path: string, route: PageRoute = { revalidate: 0 }): this {
    this.routes.set(path, route);
    return this;
  }

  renders(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  totalRenders(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
    const path = new URL(request.url).pathname;
    const route = this.routes.get(path);
    if (!route) return null;
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    request.context.revalidate = route.revalidate;
    const body = `<!doctype html><html><body><app-root ng-server-context="ssr"><h1>${path} render #${n}</h1></app-root></body></html>`;
    return { status: route.status ?? 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(body) };
  }
}

/** A running app: the real ISRHandler (public entry) on Express, plus a sitemap route. */
export interface IsrApp {
  base: string;
  engine: CountingEngine;
  /** The XML `/sitemap.xml` answers; `undefined` = no sitemap route (the request reaches ISR). */
  sitemap: string | undefined;
  close(): Promise<void>;
}

/** Starts the app on 127.0.0.1, wired the way `ng add` wires server.ts. */
export async function startIsrApp(): Promise<IsrApp> {
  const engine = new CountingEngine();
  const isr = new ISRHandler({ engine, cache: new MemoryCacheHandler(), invalidateSecretToken: 'warm-spec', logger: silentLogger });
  const app = express();
  const state: IsrApp = { base: '', engine, sitemap: undefined, close: async () => undefined };
  app.get('/sitemap.xml', (_req, res, next) => {
    if (state.sitemap === undefined) return next();
    res.type('application/xml').send(state.sitemap);
  });
  app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
  app.use((req, res, next) => isr.handle(req, res, next));
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).send('not found');
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    await isr.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

const silentLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A sitemaps.org `<urlset>` of the given absolute URLs. */
export function urlset(urls: readonly string[]): string {
  const entries = urls.map((url) => `  <url><loc>${url.replace(/&/g, '&amp;')}</loc></url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries}\n</urlset>\n`;
}

/** A sitemaps.org `<sitemapindex>` of the given sitemap URLs. */
export function sitemapIndex(sitemaps: readonly string[]): string {
  const entries = sitemaps.map((url) => `  <sitemap><loc>${url}</loc></sitemap>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries}\n</sitemapindex>\n`;
}
