import type { Architect } from '@angular-devkit/architect';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchitect, messagesAt, runTarget, type BuilderRunResult } from './architect-harness';
import { freePort } from '../../support/free-port';
import { FaultServer } from './fault-server';

// The builder against a raw HTTP server that fails in every way the issue lists.
const TOKEN_ENV = 'NG_ISR_ERRORS_SPEC_TOKEN';
const TOKEN = 'tok-errors-3f9a1c77e2b4';

/** The token must never show up in anything the builder prints or returns. */
function expectNoToken(result: BuilderRunResult): void {
  expect(result.text).not.toContain(TOKEN);
  expect(JSON.stringify(result.output)).not.toContain(TOKEN);
}

describe('isr-invalidate builder: errors and retries (raw HTTP server)', () => {
  const server = new FaultServer();
  let baseUrl: string;
  let workspace: string;
  let architect: Architect;

  beforeAll(async () => {
    baseUrl = await server.start();
    workspace = mkdtempSync(join(tmpdir(), 'ng-isr-builder-'));
    architect = await createArchitect(workspace, { baseUrl, tokenEnv: TOKEN_ENV, path: '/ok' });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.reset();
    process.env[TOKEN_ENV] = TOKEN;
  });
  afterEach(() => {
    delete process.env[TOKEN_ENV];
  });

  it('posts the contract request with a Bearer token and reports every URL', async () => {
    writeFileSync(join(workspace, 'urls.txt'), '# pages changed by the CMS\n/blog/a\n\n  /blog/b  \r\n/\n# done\n');
    const result = await runTarget(architect, { urls: ['/', `${baseUrl}/about#team`], urlsFile: 'urls.txt' });

    expect(result.output.success).toBe(true);
    expect(server.requests).toEqual([
      {
        path: '/ok',
        method: 'POST',
        authorization: `Bearer ${TOKEN}`,
        contentType: 'application/json',
        body: { urlsToInvalidate: ['/', '/about', '/blog/a', '/blog/b'] },
      },
    ]);
    expect(messagesAt(result, 'info')).toEqual([
      `Invalidating 4 URLs at ${baseUrl}/ok.`,
      '  invalidated   /',
      '  invalidated   /about',
      '  invalidated   /blog/a',
      '  invalidated   /blog/b',
      expect.stringMatching(/^4 URLs: 4 invalidated, 0 not in cache, 0 failed in \d+\.\d\d s\.$/),
    ]);
    expectNoToken(result);
  });

  it('retries 5xx answers with back-off and succeeds when the server recovers', async () => {
    const result = await runTarget(architect, { path: '/flaky', urls: ['/blog/a'], retries: 2 });

    expect(result.output.success).toBe(true);
    expect(server.requests.map((request) => request.path)).toEqual(['/flaky', '/flaky', '/flaky']);
    expect(messagesAt(result, 'warn')).toEqual([
      '  attempt 1 failed (the server answered 500 Internal Server Error: render pool exhausted); retrying in 300 ms',
      '  attempt 2 failed (the server answered 500 Internal Server Error: render pool exhausted); retrying in 600 ms',
    ]);
    expect(result.text).toContain('  invalidated   /blog/a');
    expectNoToken(result);
  });

  it('waits out a 429 for its Retry-After within the retries, then succeeds', async () => {
    const result = await runTarget(architect, { path: '/rate-limited-once', urls: ['/blog/a'], retries: 1 });

    expect(result.output.success).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(messagesAt(result, 'warn')).toEqual([
      expect.stringMatching(
        /^ {2}attempt 1 failed \(the server refused further attempts .*\(429\), retry after 1 s; .*\); retrying in 1000 ms$/,
      ),
    ]);
    expectNoToken(result);
  });

  it('fails with the last 5xx reason once the retries are used up', async () => {
    const result = await runTarget(architect, { path: '/always-500', urls: ['/a', '/b'], retries: 1 });

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(2);
    const reason = 'the server answered 500 Internal Server Error: database down (gave up after 2 attempts)';
    expect(messagesAt(result, 'error')).toEqual([`  FAILED        /a: ${reason}`, `  FAILED        /b: ${reason}`]);
    // The summary is the output's error, which the Angular CLI prints as the report's last line.
    expect(result.output.error).toMatch(/^Invalidation incomplete: 2 URLs: 0 invalidated, 0 not in cache, 2 failed in \d+\.\d\d s\.$/);
    expectNoToken(result);
  });

  it('turns a proxy HTML error page into one readable line', async () => {
    const result = await runTarget(architect, { path: '/bad-gateway', urls: ['/a'], retries: 0 });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')[0]).toBe('  FAILED        /a: the server answered 502 Bad Gateway: 502 Bad Gateway nginx');
  });

  it('gives up on a server that never answers after timeoutMs, and retries the timeout', async () => {
    const result = await runTarget(architect, { path: '/hang', urls: ['/slow'], timeoutMs: 250, retries: 1 });

    expect(result.output.success).toBe(false);
    expect(server.requests.map((request) => request.path)).toEqual(['/hang', '/hang']);
    const host = new URL(baseUrl).host;
    expect(messagesAt(result, 'error')[0]).toBe(
      `  FAILED        /slow: no answer from ${host} within 250 ms (timeout; raise --timeout-ms if the server is slow) (gave up after 2 attempts)`,
    );
  });

  it('reports a connection the server closes without answering', async () => {
    const result = await runTarget(architect, { path: '/destroy', urls: ['/a'], retries: 1 });

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(messagesAt(result, 'error')[0]).toBe(
      `  FAILED        /a: ${new URL(baseUrl).host} closed the connection before answering (gave up after 2 attempts)`,
    );
  });

  it('rejects a 200 answer that is not JSON, without retrying', async () => {
    const result = await runTarget(architect, { path: '/non-json', urls: ['/a'], retries: 3 });

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(messagesAt(result, 'error')[0]).toBe(
      '  FAILED        /a: malformed answer: not JSON (200, text/html, starting "<!doctype html><html><body>Angular app shell</body></html>"); is --path the invalidate endpoint?',
    );
  });

  it('rejects JSON that does not have the contract shape', async () => {
    const result = await runTarget(architect, { path: '/wrong-shape', urls: ['/a'] });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')[0]).toBe('  FAILED        /a: malformed answer (200): "invalidated" is not a list of URLs');
  });

  it("reports the server's CDN purge (purged / purgeFailed) without failing the run", async () => {
    const result = await runTarget(architect, { path: '/purge', urls: ['/a'] });

    expect(result.output.success).toBe(true);
    expect(messagesAt(result, 'info')).toContain('  CDN purged    cloudflare');
    expect(messagesAt(result, 'warn')).toEqual(['  CDN purge FAILED at fastly: fastly: the API answered 503']);
    expect(messagesAt(result, 'info').at(-1)).toMatch(
      /^1 URL: 1 invalidated, 0 not in cache, 0 failed; the CDN purge failed for 1 request in /,
    );
    expectNoToken(result);
  });

  it('fails the URLs the server could not invalidate or did not mention', async () => {
    const result = await runTarget(architect, { path: '/partial', urls: ['/x', '/y', '/z'] });

    expect(result.output.success).toBe(false);
    expect(result.entries.slice(1, 4)).toEqual([
      { level: 'error', message: '  FAILED        /x: the server could not invalidate it: cache write timed out' },
      { level: 'error', message: "  FAILED        /y: the server's answer does not mention this URL" },
      { level: 'info', message: '  invalidated   /z' },
    ]);
    expect(result.output.error).toMatch(/^Invalidation incomplete: 3 URLs: 1 invalidated, 0 not in cache, 2 failed in /);
  });

  it.each([
    ['/unauthorized', `the server refused the token (401): check that ${TOKEN_ENV} holds the server's token (server said: Invalid token)`],
    [
      '/forbidden',
      'invalidation is switched off on the server (403): it has no token configured (server said: Invalidation is disabled: no token configured)',
    ],
    [
      '/too-large',
      'the request is larger than the server accepts (413): lower --batch-size (now 100) (server said: At most 10 URLs per request)',
    ],
    ['/nowhere', 'no invalidate endpoint at BASE/nowhere (404 Not Found): check --base-url and --path'],
    ['/redirect', 'the server redirected (301 Moved Permanently); point --base-url at the final address'],
  ])('fails on %s at once with a one-line reason, never retrying a 4xx', async (path, reason) => {
    const result = await runTarget(architect, { path, urls: ['/a', '/b'], retries: 3 });

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(1);
    const expected = reason.replace('BASE', baseUrl);
    expect(messagesAt(result, 'error').slice(0, 2)).toEqual([`  FAILED        /a: ${expected}`, `  FAILED        /b: ${expected}`]);
    expectNoToken(result);
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    const result = await runTarget(architect, { baseUrl: `http://127.0.0.1:${port}`, urls: ['/a'], retries: 0 });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')[0]).toBe(`  FAILED        /a: connection refused by 127.0.0.1:${port}: is the server running?`);
  });

  it('reports a host name that does not resolve', async () => {
    // .invalid never resolves (RFC 6761); offline resolvers answer EAI_AGAIN instead of ENOTFOUND.
    const result = await runTarget(architect, { baseUrl: 'http://ng-isr-builder-test.invalid', urls: ['/a'], retries: 0 });

    expect(result.output.success).toBe(false);
    expect(messagesAt(result, 'error')[0]).toMatch(
      /^ {2}FAILED {8}\/a: host name (not found|could not be resolved right now) \(DNS\): ng-isr-builder-test\.invalid$/,
    );
  });

  it('stops before any request when the token variable is missing, naming it', async () => {
    delete process.env[TOKEN_ENV];
    const result = await runTarget(architect, { urls: ['/a'] });

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(result.output.error).toMatch(new RegExp(`^The environment variable ${TOKEN_ENV} is not set\\.`));
    // Nothing else is logged: the CLI prints the output's error once.
    expect(result.entries).toEqual([]);
  });

  it('says the token variable is empty when it is set to nothing (ISR_INVALIDATE_TOKEN=)', async () => {
    process.env[TOKEN_ENV] = '';
    const result = await runTarget(architect, { urls: ['/a'] });

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(result.output.error).toMatch(new RegExp(`^The environment variable ${TOKEN_ENV} is empty\\.`));
  });

  it('reads the token from ISR_INVALIDATE_TOKEN by default', async () => {
    const saved = process.env['ISR_INVALIDATE_TOKEN'];
    process.env['ISR_INVALIDATE_TOKEN'] = 'default-env-token-81c2';
    try {
      // A target without tokenEnv: the schema default applies.
      const defaults = await createArchitect(workspace, { baseUrl, path: '/ok' });
      const result = await runTarget(defaults, { urls: ['/a'] });
      expect(result.output.success).toBe(true);
      expect(server.requests[0].authorization).toBe('Bearer default-env-token-81c2');
      expect(result.text).not.toContain('default-env-token-81c2');
    } finally {
      if (saved === undefined) delete process.env['ISR_INVALIDATE_TOKEN'];
      else process.env['ISR_INVALIDATE_TOKEN'] = saved;
    }
  });

  it('splits long lists into batches of batchSize and shows progress', async () => {
    const urls = Array.from({ length: 23 }, (_, i) => `/item/${i}`);
    const result = await runTarget(architect, { urls, tags: ['posts'], batchSize: 10 });

    expect(result.output.success).toBe(true);
    expect(server.requests.map((request) => request.body)).toEqual([
      { urlsToInvalidate: urls.slice(0, 10) },
      { urlsToInvalidate: urls.slice(10, 20) },
      { urlsToInvalidate: urls.slice(20), tags: ['posts'] },
    ]);
    expect(result.entries[0].message).toBe(`Invalidating 23 URLs and 1 tag at ${baseUrl}/ok in 3 requests.`);
    expect(messagesAt(result, 'info').filter((line) => line.startsWith('['))).toEqual([
      '[1/3] 10 of 24 entries sent',
      '[2/3] 20 of 24 entries sent',
      '[3/3] 24 of 24 entries sent',
    ]);
  });

  it('dry run prints the batches and sends nothing', async () => {
    const result = await runTarget(architect, { urls: ['/a', '/b', '/c'], tags: ['posts'], batchSize: 2, dryRun: true });

    expect(result.output.success).toBe(true);
    expect(server.requests).toHaveLength(0);
    expect(messagesAt(result, 'info')).toEqual([
      `Dry run: would POST to ${baseUrl}/ok with "Authorization: Bearer $${TOKEN_ENV}" (set):`,
      '  request 1/2: {"urlsToInvalidate":["/a","/b"]}',
      '  request 2/2: {"urlsToInvalidate":["/c"],"tags":["posts"]}',
      'Nothing was sent.',
    ]);
    expectNoToken(result);
  });

  it.each([
    [{ urls: ['blog/a'] }, '"blog/a" is not a path: URLs to invalidate start with "/", e.g. /blog/hello.'],
    [{ urls: ['https://elsewhere.example/a'] }, 'URL "https://elsewhere.example/a" is on another host than --base-url'],
    [{ urls: [] }, 'Nothing to invalidate: pass --urls, --tags or --urls-file.'],
    [{ urlsFile: 'missing.txt' }, 'Cannot read --urls-file '],
    [{ urls: ['/a'], path: 'api/invalidate' }, '--path "api/invalidate" must be a path starting with a single "/"'],
  ])('refuses bad input %j before any request', async (overrides, message) => {
    const result = await runTarget(architect, overrides);

    expect(result.output.success).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(result.output.error).toContain(message);
  });

  it('refuses a base URL that is not http(s) in one readable line', async () => {
    const result = await runTarget(architect, { baseUrl: 'ftp://example.com', urls: ['/a'] });
    expect(result.output.success).toBe(false);
    expect(result.output.error).toBe('--base-url must start with http:// or https://, got "ftp:".');
    expect(server.requests).toHaveLength(0);
  });

  describe('the target ng add writes (no baseUrl unless given, no URLs)', () => {
    let bare: Architect;
    beforeAll(async () => {
      bare = await createArchitect(workspace, { tokenEnv: TOKEN_ENV });
    });

    it('refuses to run without --base-url instead of posting to a default server', async () => {
      const result = await runTarget(bare, { urls: ['/a'] });
      expect(result.output.success).toBe(false);
      expect(result.output.error).toMatch(
        /^--base-url is required: the address of the running server, e\.g\. --base-url https:\/\/example\.com/,
      );
      expect(result.output.error).not.toContain('\n');
      expect(server.requests).toHaveLength(0);
    });

    it('refuses to run with nothing to invalidate', async () => {
      const result = await runTarget(bare, { baseUrl });
      expect(result.output.success).toBe(false);
      expect(result.output.error).toBe('Nothing to invalidate: pass --urls, --tags or --urls-file.');
      expect(server.requests).toHaveLength(0);
    });

    it('--tags posts invalidates the tag only, not "/" as well', async () => {
      const result = await runTarget(bare, { baseUrl, path: '/ok', tags: ['posts'] });
      expect(result.output.success).toBe(true);
      expect(server.requests.map((request) => request.body)).toEqual([{ tags: ['posts'] }]);
    });
  });
});
