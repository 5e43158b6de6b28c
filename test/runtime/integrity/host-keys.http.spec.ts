import { ISRHandler } from '../../../runtime/isr-handler.js';
import { renderNumber, TestEngine } from '../support/test-engine.js';
import { sendRaw, startApp, type IntegrityApp } from './support/integrity-app.js';

/** Rule 1, opt-in: a site with different content per domain keys its pages per allowed host. */
describe('hostKeys: per-host key spaces for allowed hosts', () => {
  let app: IntegrityApp;
  let engine: TestEngine;

  beforeEach(async () => {
    engine = new TestEngine().route('/public', { revalidate: 0 });
    app = await startApp({ engine, hostKeys: true, allowedHosts: ['https://a.example', 'b.example', '*.shops.example'] });
  });

  afterEach(async () => {
    await app.close();
  });

  async function invalidate(urls: string[]) {
    const response = await fetch(`${app.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify({ urlsToInvalidate: urls }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('stores one entry per allowed host, rendered for that host', async () => {
    const a = await sendRaw(app.port, '/public', { Host: 'A.example' });
    const b = await sendRaw(app.port, '/public', { Host: 'b.example' });
    const shop = await sendRaw(app.port, '/public', { Host: 'x.shops.example' });
    expect([a, b, shop].map((r) => r.headers['x-isr-cache'])).toEqual(['MISS', 'MISS', 'MISS']);
    expect(engine.requests.map((r) => r.url)).toEqual([
      'https://a.example/public',
      'https://b.example/public',
      'https://x.shops.example/public',
    ]);
    expect(engine.requests.every((r) => r.nodeRequest === undefined)).toBe(true);
    expect((await sendRaw(app.port, '/public', { Host: 'a.example' })).headers['x-isr-cache']).toBe('HIT');
    expect(await app.isr.cache.get('//a.example/public')).toBeDefined();
    expect(await app.isr.cache.get('/public')).toBeUndefined();
  });

  it('bypasses hosts off the list (no entry), and still answers malformed ones with 400', async () => {
    const other = await sendRaw(app.port, '/public', { Host: 'evil.example' });
    expect([other.headers['x-isr-cache'], other.headers['cache-status']]).toEqual(['BYPASS', 'ng-isr; fwd=bypass; detail="host"']);
    expect((await sendRaw(app.port, '/public', { Host: 'shops.example' })).headers['x-isr-cache']).toBe('BYPASS');
    expect((await sendRaw(app.port, '/public', { Host: 'a.example/x?' })).status).toBe(400);
  });

  it('invalidates one host for an absolute URL, every plain host for a path', async () => {
    await sendRaw(app.port, '/public', { Host: 'a.example' });
    await sendRaw(app.port, '/public', { Host: 'b.example' });
    expect((await invalidate(['https://a.example/public'])).body).toMatchObject({ invalidated: ['https://a.example/public'] });
    expect(renderNumber((await sendRaw(app.port, '/public', { Host: 'a.example' })).body)).toBe(3);
    expect(renderNumber((await sendRaw(app.port, '/public', { Host: 'b.example' })).body)).toBe(2);
    expect((await invalidate(['/public'])).body).toMatchObject({ invalidated: ['/public', '/public'] });
    expect(engine.renders('/public')).toBe(5);
    expect((await invalidate(['https://evil.example/public'])).status).toBe(400);
  });

  it('needs a host list', () => {
    const saved = process.env['NG_ALLOWED_HOSTS'];
    delete process.env['NG_ALLOWED_HOSTS'];
    try {
      expect(() => new ISRHandler({ engine, logger: false, hostKeys: true })).toThrow(/hostKeys needs allowedHosts/);
    } finally {
      if (saved !== undefined) {
        process.env['NG_ALLOWED_HOSTS'] = saved;
      }
    }
  });
});
