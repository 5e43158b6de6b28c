import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface ReceivedRequest {
  path: string;
  method: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/**
 * A raw node:http server on 127.0.0.1 that misbehaves in one way per path, to drive the
 * builder's error handling. It is not a stand-in for ISRHandler (the contract tests run
 * against the real one); `/ok` and `/flaky` only answer in the contract's shape so that
 * retries can be shown to end in success.
 */
export class FaultServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly hits = new Map<string, number>();
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));
  /** Called whenever a request has arrived (its body read); lets tests wait for events. */
  onRequest: ((request: ReceivedRequest) => void) | undefined;

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets the requests seen so far. */
  reset(): void {
    this.requests.length = 0;
    this.hits.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const received: ReceivedRequest = {
      path,
      method: req.method ?? '',
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    };
    this.requests.push(received);
    const hit = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, hit);
    this.onRequest?.(received);

    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const urls = ((body as { urlsToInvalidate?: string[] }).urlsToInvalidate ?? []) as string[];
    switch (path) {
      case '/ok':
        return json(200, { invalidated: urls, notInCache: [], failed: {} });
      case '/flaky': // two 500s, then a good answer
        return hit <= 2 ? json(500, { error: 'render pool exhausted' }) : json(200, { invalidated: urls, notInCache: [], failed: {} });
      case '/always-500':
        return json(500, { error: 'database down' });
      case '/bad-gateway':
        res.writeHead(502, { 'content-type': 'text/html' });
        return void res.end('<html><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>');
      case '/hang':
        return; // never answers; stop() destroys the socket
      case '/destroy':
        return void req.socket.destroy();
      case '/non-json':
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<!doctype html><html><body>Angular app shell</body></html>');
      case '/wrong-shape':
        return json(200, { ok: true });
      case '/purge': // invalidated; one CDN purger purged, one failed
        return json(200, {
          invalidated: urls,
          notInCache: [],
          failed: {},
          purged: ['cloudflare'],
          purgeFailed: { fastly: 'fastly: the API answered 503' },
        });
      case '/partial': // first URL fails on the server, second is left out of the answer
        return json(200, { invalidated: urls.slice(2), notInCache: [], failed: { [urls[0]]: 'cache write timed out' } });
      case '/unauthorized':
        return json(401, { error: 'Invalid token' });
      case '/forbidden':
        return json(403, { error: 'Invalidation is disabled: no token configured' });
      case '/rate-limited-once': // one 429 asking for a 1 s pause, then a good answer
        if (hit === 1) {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          return void res.end(JSON.stringify({ error: 'Too many failed token attempts; retry in 1 s.' }));
        }
        return json(200, { invalidated: urls, notInCache: [], failed: {} });
      case '/too-large':
        return json(413, { error: 'At most 10 URLs per request' });
      case '/redirect':
        res.writeHead(301, { location: 'https://example.com/api/invalidate' });
        return void res.end();
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end('Cannot POST ' + path);
    }
  }
}
