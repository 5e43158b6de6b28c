import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { whyNotStorable } from '../../../runtime/render/cacheability.js';

const run = promisify(execFile);
const repo = join(__dirname, '../../..');

interface Rendered {
  revalidate?: number;
  httpErrors?: number;
  html: string;
}

/**
 * #16 item 1: provideISR() counts failed HttpClient calls of a real Angular server render (the
 * installed Angular release, through the root interceptor token), so such pages are never stored.
 */
describe('provideISR() counts failed HttpClient requests of a real Angular render', () => {
  let api: Server;
  let origin: string;

  beforeAll(async () => {
    api = createServer((req, res) => {
      res.statusCode = req.url === '/ok' ? 200 : 500;
      res.end(req.url === '/ok' ? 'api ok' : 'api down');
    }).listen(0, '127.0.0.1');
    await once(api, 'listening');
    origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  async function render(path: string): Promise<Rendered> {
    const { stdout } = await run(
      process.execPath,
      [join(__dirname, 'http-errors-app.mjs'), join(repo, 'dist/runtime'), `${origin}${path}`],
      {
        cwd: repo,
        timeout: 60_000,
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop() as string) as Rendered;
  }

  it('a render whose API call fails reports one error and is refused for storing; a later success is storable', async () => {
    const failed = await render('/fail');
    expect(failed.html).toContain('<p>api failed</p>');
    expect(failed).toMatchObject({ revalidate: 60, httpErrors: 1 });
    const page = { status: 200, headers: {}, body: Buffer.from('<app-root ng-server-context="ssr"></app-root>') };
    expect(whyNotStorable(page, failed)).toBe('an HttpClient request failed during the render');

    const succeeded = await render('/ok');
    expect(succeeded.html).toContain('<p>api ok</p>');
    expect(succeeded).toMatchObject({ revalidate: 60, httpErrors: 0 });
    expect(whyNotStorable(page, succeeded)).toBeUndefined();
  }, 120_000);
});
