import type { IncomingMessage } from 'node:http';
import type { ISREngine, ISRRenderRequest, RenderedPage } from './isr-engine.js';

/** The part of `AngularNodeAppEngine` (from `@angular/ssr/node`, Angular 19+) the handler uses. */
export interface AngularAppEngineLike {
  handle(request: IncomingMessage | Request, requestContext?: unknown): Promise<Response | null>;
}

/**
 * Renders with `AngularNodeAppEngine.handle(request, context)`. Visitor requests are passed as the
 * Node request (the engine applies its own `allowedHosts`/`trustProxyHeaders` rules); background
 * renders as a web `Request` with an allowed host. The Response's status and headers are kept.
 */
export function angularAppEngineAdapter(engine: AngularAppEngineLike): ISREngine {
  return {
    async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
      const input = request.nodeRequest ?? new Request(request.url, { method: 'GET', headers: request.headers, signal: request.signal });
      const response = await engine.handle(input, request.context);
      if (!response) {
        return null;
      }
      // The SSR body is a stream that finishes the render; read it fully before the context.
      const body = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: headersOf(response.headers), body };
    },
  };
}

function headersOf(headers: Headers): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') {
      result[name] = value;
    }
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) {
    result['set-cookie'] = cookies;
  }
  return result;
}
