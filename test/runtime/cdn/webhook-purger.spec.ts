import { createHmac, timingSafeEqual } from 'node:crypto';
import { webhookPurger, WEBHOOK_SIGNATURE_HEADER, type WebhookPurgerOptions } from '../../../runtime/cdn/webhook-purger.js';
import { purgerApiFixture } from './support/api-server.js';

const SECRET = 'whsec-0123456789';

/** What a receiver does (docs/cdn.md): recompute the HMAC over `${t}.${raw body}` and compare in constant time. */
function verify(header: string, rawBody: string, secret: string, nowSeconds: number): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const given = Buffer.from(parts['v1'] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhookPurger against a local receiver', () => {
  const t = purgerApiFixture({ status: 204 }, 'TEST_WEBHOOK_SECRET', SECRET);
  const make = (options: Partial<WebhookPurgerOptions> = {}) =>
    webhookPurger({
      url: `${t.api.base}/hooks/purge`,
      secretEnv: 'TEST_WEBHOOK_SECRET',
      ...options,
      sleep: t.clock.sleep,
    } as WebhookPurgerOptions);

  it('POSTs { urls, paths, tags } as JSON with a signature the receiver can verify', async () => {
    await make().purge({ urls: ['https://www.example.com/blog/a', 'https://www.example.com/?page=2'], tags: ['posts'] });
    expect(t.api.requests).toHaveLength(1);
    const [request] = t.api.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/purge');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      urls: ['https://www.example.com/blog/a', 'https://www.example.com/?page=2'],
      paths: ['/blog/a', '/?page=2'],
      tags: ['posts'],
    });
    const signature = String(request.headers[WEBHOOK_SIGNATURE_HEADER]);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(verify(signature, request.body, SECRET, now)).toBe(true);
    expect(verify(signature, request.body.replace('posts', 'other'), SECRET, now)).toBe(false);
    expect(verify(signature, request.body, 'wrong', now)).toBe(false);
    expect(verify(signature, request.body, SECRET, now + 3600)).toBe(false);
  });

  it('retries a 500 and reports a 4xx without the secret', async () => {
    t.api.script({ status: 500 }, { status: 403, body: `bad signature for ${SECRET}` });
    const error = (await make()
      .purge({ urls: [], tags: ['a'] })
      .catch((e: Error) => e)) as Error;
    expect(error.message).toBe('webhook: the webhook answered 403 (bad signature for [redacted])');
    expect(t.api.requests).toHaveLength(2);
    expect(t.clock.delays).toEqual([500]);
  });

  it('refuses a URL that is not absolute http(s)', () => {
    expect(() => webhookPurger({ url: '/relative' })).toThrow(TypeError);
    expect(() => webhookPurger({ url: 'ftp://example.com/x' })).toThrow(TypeError);
  });
});
