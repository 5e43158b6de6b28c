import { renderNumber, TestEngine } from './support/test-engine.js';
import { startServer, type TestServer } from './support/test-server.js';

const TOKEN = 'correct-horse-battery-staple';

describe('POST /api/invalidate over HTTP', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(token: string | null = TOKEN, extra: Record<string, unknown> = {}) {
    engine = new TestEngine()
      .route('/', { revalidate: 0 })
      .route('/blog/a', { revalidate: 60, tags: ['posts'] })
      .route('/blog/b', { revalidate: 60, tags: ['posts', 'featured'] })
      .route('/about', { revalidate: 60 });
    server = await startServer({ engine, invalidateSecretToken: token ?? undefined, ...extra });
    for (const path of ['/', '/blog/a', '/blog/b', '/about']) {
      expect((await fetch(server.base + path)).headers.get('x-isr-cache')).toBe('MISS');
    }
  }

  async function post(body: unknown, headers: Record<string, string> = {}, path = '/api/invalidate') {
    const response = await fetch(server.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const json = type.startsWith('application/json') ? (JSON.parse(text) as Record<string, unknown>) : {};
    return { status: response.status, type, json, text };
  }

  it('regenerates cached URLs (normalised like requests) and reports unknown ones', async () => {
    await start();
    const result = await post({ token: TOKEN, urlsToInvalidate: ['/', '/blog/a?utm_source=mail', '/never-rendered', '/about?x=1'] });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({
      invalidated: ['/', '/blog/a?utm_source=mail'],
      notInCache: ['/never-rendered', '/about?x=1'],
      failed: {},
      removed: [],
      stale: [],
    });
    const home = await fetch(server.base + '/');
    expect([home.headers.get('x-isr-cache'), renderNumber(await home.text())]).toEqual(['HIT', 2]);
    expect(engine.renders('/blog/a')).toBe(2);
    expect(engine.renders('/about')).toBe(1);
  });

  it('accepts the token as Authorization: Bearer', async () => {
    await start();
    const result = await post({ urlsToInvalidate: ['/about'] }, { authorization: `Bearer ${TOKEN}` });
    expect([result.status, result.json.invalidated]).toEqual([200, ['/about']]);
  });

  it('invalidates every cached page of a tag', async () => {
    await start();
    const result = await post({ token: TOKEN, tags: ['posts'] });
    expect(result.status).toBe(200);
    expect((result.json.invalidated as string[]).sort()).toEqual(['/blog/a', '/blog/b']);
    expect([engine.renders('/blog/a'), engine.renders('/blog/b'), engine.renders('/about')]).toEqual([2, 2, 1]);
    const featured = await post({ token: TOKEN, tags: ['featured'], urlsToInvalidate: ['/blog/b'] });
    expect(featured.json.invalidated).toEqual(['/blog/b']);
    expect(engine.renders('/blog/b')).toBe(3);
  });

  it('reports a failed regeneration and keeps the last good page', async () => {
    await start();
    engine.route('/about', { revalidate: 60, mode: 'throw' });
    const result = await post({ token: TOKEN, urlsToInvalidate: ['/about', '/blog/a'] });
    expect(result.json).toEqual({
      invalidated: ['/blog/a'],
      notInCache: [],
      failed: { '/about': 'engine failure on /about' },
      removed: [],
      stale: [],
    });
    const about = await fetch(server.base + '/about');
    expect(about.status).toBe(200);
    expect(renderNumber(await about.text())).toBe(1);
    // The failed page is marked for retry: it is served as STALE until a regeneration succeeds.
    expect(about.headers.get('x-isr-cache')).toBe('STALE');
  });

  it('answers 401 for a missing or wrong token, without echoing it', async () => {
    await start();
    const missing = await post({ urlsToInvalidate: ['/'] });
    const wrong = await post({ token: 'guess', urlsToInvalidate: ['/'] });
    const wrongBearer = await post({ urlsToInvalidate: ['/'] }, { authorization: 'Bearer guess' });
    expect([missing.status, wrong.status, wrongBearer.status]).toEqual([401, 401, 401]);
    expect(typeof missing.json.error).toBe('string');
    expect(wrong.text).not.toContain('guess');
    expect(engine.renders('/')).toBe(1);
  });

  it('answers 400 for malformed bodies and 413 for oversized ones', async () => {
    await start(TOKEN, { invalidate: { maxUrls: 3, maxBodyBytes: 200 } });
    const cases: Array<[unknown, number]> = [
      ['{not json', 400],
      [[], 400],
      [{ token: TOKEN }, 400],
      [{ token: TOKEN, urlsToInvalidate: '/' }, 400],
      [{ token: TOKEN, urlsToInvalidate: [1] }, 400],
      [{ token: TOKEN, urlsToInvalidate: ['https://evil.example/'] }, 400],
      [{ token: TOKEN, urlsToInvalidate: ['/a/../b'] }, 400],
      [{ token: TOKEN, tags: [{}] }, 400],
      [{ token: 42, urlsToInvalidate: ['/'] }, 400],
      [{ token: TOKEN, urlsToInvalidate: ['/a', '/b', '/c', '/d'] }, 413],
    ];
    for (const [body, status] of cases) {
      // Without a body parser in front, every refusal is the endpoint's own JSON answer.
      const result = await post(body, {}, '/api/invalidate-raw');
      expect([body, result.status, typeof result.json.error]).toEqual([body, status, 'string']);
      // Behind express.json() the status is the same; broken JSON is refused by express.json()
      // itself, before the endpoint runs, and answered by isr.invalidateBodyErrors.
      const parsed = await post(body);
      expect([body, parsed.status]).toEqual([body, status]);
    }
    // The raw route has no body parser: the endpoint reads and limits the body itself.
    const big = await post({ token: TOKEN, urlsToInvalidate: ['/' + 'x'.repeat(300)] }, {}, '/api/invalidate-raw');
    expect(big.status).toBe(413);
    const textBody = await fetch(`${server.base}/api/invalidate-raw`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(textBody.status).toBe(400);
    const empty = await fetch(`${server.base}/api/invalidate-raw`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const express4 = await fetch(`${server.base}/api/invalidate-express4`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect([express4.status, await express4.json()]).toEqual([400, { error: 'Content-Type must be application/json.' }]);
    const ok = await post({ token: TOKEN, urlsToInvalidate: ['/about'] }, {}, '/api/invalidate-raw');
    expect([ok.status, ok.json.invalidated]).toEqual([200, ['/about']]);
  });

  describe('behind express.json() with isr.invalidateBodyErrors (the wiring ng add generates)', () => {
    const secretBody = `{"token": "${TOKEN}", "urlsToInvalidate": ["/"`;

    it('answers malformed JSON with a 400 JSON error that does not echo the body', async () => {
      await start();
      const result = await post(secretBody);
      expect([result.status, result.type, result.json]).toEqual([
        400,
        'application/json; charset=utf-8',
        { error: 'Request body is not valid JSON.' },
      ]);
      expect(result.text).not.toContain(TOKEN);
      // The seed's wiring without the middleware: Express's error handling answers, not JSON.
      const seed = await post(secretBody, {}, '/api/invalidate-seed');
      expect([seed.status, seed.type.startsWith('application/json')]).toEqual([400, false]);
      expect(engine.renders('/')).toBe(1);
    });

    it("answers a body over express.json()'s limit (100 kB) with a 413 JSON error", async () => {
      await start();
      const huge = JSON.stringify({ token: TOKEN, urlsToInvalidate: ['/' + 'x'.repeat(150_000)] });
      const result = await post(huge);
      expect([result.status, result.type, result.json]).toEqual([
        413,
        'application/json; charset=utf-8',
        { error: 'Request body is larger than 102400 bytes.' },
      ]);
      expect(result.text).not.toContain(TOKEN);
      const seed = await post(huge, {}, '/api/invalidate-seed');
      expect([seed.status, seed.type.startsWith('application/json')]).toEqual([413, false]);
    });

    it('answers an unsupported charset or content encoding with 415 JSON, and still serves good requests', async () => {
      await start();
      const charset = await post({ token: TOKEN, urlsToInvalidate: ['/'] }, { 'content-type': 'application/json; charset=latin-9' });
      expect([charset.status, charset.json]).toEqual([415, { error: 'Charset of the request body is not supported; send UTF-8 JSON.' }]);
      const encoding = await post({ token: TOKEN, urlsToInvalidate: ['/'] }, { 'content-encoding': 'x-unknown' });
      expect([encoding.status, encoding.json]).toEqual([415, { error: 'Content-Encoding of the request body is not supported.' }]);
      const ok = await post({ token: TOKEN, urlsToInvalidate: ['/about'] });
      expect([ok.status, ok.json.invalidated]).toEqual([200, ['/about']]);
    });

    it("passes errors that are not the body parser's on to the app's error handler", async () => {
      await start();
      const result = await post({ token: TOKEN, urlsToInvalidate: ['/'] }, {}, '/api/invalidate-broken');
      expect([result.status, result.text]).toEqual([500, 'express error handler']);
    });

    it('is error middleware to Express: exactly four parameters', async () => {
      await start();
      expect(server.isr.invalidateBodyErrors).toHaveLength(4);
    });
  });

  it('accepts an absolute URL on the request host', async () => {
    await start();
    const result = await post({ token: TOKEN, urlsToInvalidate: [`${server.base}/about`] });
    expect([result.status, result.json.invalidated]).toEqual([200, [`${server.base}/about`]]);
  });

  it('answers 403 to everything when no token is configured and warns once, at the first request', async () => {
    await start(null);
    const withToken = await post({ token: 'anything', urlsToInvalidate: ['/'] });
    const garbage = await post('{nope', {}, '/api/invalidate-raw');
    expect([withToken.status, garbage.status]).toEqual([403, 403]);
    expect(typeof withToken.json.error).toBe('string');
    expect(server.logger.at('warn').filter((line) => line.includes('invalidateSecretToken'))).toHaveLength(1);
    expect(engine.renders('/')).toBe(1);
  });

  it('never writes the token to the log', async () => {
    await start();
    await post({ token: TOKEN, urlsToInvalidate: ['/', '/nope'] });
    await post({ token: 'wrong-token-value', urlsToInvalidate: ['/'] });
    await post({ urlsToInvalidate: ['/'] }, { authorization: `Bearer ${TOKEN}` });
    const log = server.logger.lines.map((line) => line.message).join('\n');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('wrong-token-value');
    expect(log).toContain('invalidate:');
  });
});
