import { ISRRenderContext } from '../angular/isr-render-context.js';
import type { ISREngine, ISRRenderRequest, RenderedPage } from './isr-engine.js';

/** The part of `CommonEngine` (from `@angular/ssr` / `@angular/ssr/node`) the handler uses. */
export interface CommonEngineLike {
  render(options: {
    bootstrap?: unknown;
    documentFilePath?: string;
    url?: string;
    publicPath?: string;
    providers?: unknown[];
  }): Promise<string>;
}

export interface CommonEngineAdapterOptions {
  commonEngine: CommonEngineLike;
  /** The app's bootstrap function or server module (`bootstrap` in the generated server.ts). */
  bootstrap: unknown;
  /** Absolute path of `index.server.html`. */
  indexHtml: string;
  /** Absolute path of the browser build folder. */
  browserDistFolder: string;
}

/**
 * Renders with `CommonEngine.render({ bootstrap, documentFilePath, url, publicPath, providers })`,
 * as the server.ts generated for Angular 17–19 does. The render context is provided under the
 * {@link ISRRenderContext} class token. CommonEngine has no status or headers: a page is a 200.
 */
export function commonEngineAdapter(options: CommonEngineAdapterOptions): ISREngine {
  return {
    async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
      const providers: unknown[] = [{ provide: ISRRenderContext, useValue: request.context }];
      if (request.baseUrl !== '') {
        // Only needed when the server is mounted below `/`; loaded lazily so that this file
        // stays free of Angular imports for the code paths that never need it.
        const { APP_BASE_HREF } = await import('@angular/common');
        providers.push({ provide: APP_BASE_HREF, useValue: request.baseUrl });
      }
      const html = await options.commonEngine.render({
        bootstrap: options.bootstrap,
        documentFilePath: options.indexHtml,
        url: request.url,
        publicPath: options.browserDistFolder,
        providers,
      });
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: Buffer.from(html, 'utf8'),
      };
    },
  };
}
