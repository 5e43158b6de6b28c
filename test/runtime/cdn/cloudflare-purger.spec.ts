import { cloudflarePurger, type CloudflarePurgerOptions } from '../../../runtime/cdn/cloudflare-purger.js';
import { PurgeError } from '../../../runtime/cdn/purger.js';
import { purgerApiFixture } from './support/api-server.js';

const TOKEN = 'cf-secret-token-123';
const OK = { body: JSON.stringify({ success: true, errors: [], messages: [], result: { id: 'purge-1' } }) };

describe('cloudflarePurger against a local Cloudflare API', () => {
  const t = purgerApiFixture(OK, 'TEST_CF_TOKEN', TOKEN);
  const make = (options: Partial<CloudflarePurgerOptions> = {}) =>
    cloudflarePurger({
      zoneId: 'zone123',
      apiBaseUrl: t.api.base,
      apiTokenEnv: 'TEST_CF_TOKEN',
      ...options,
      sleep: t.clock.sleep,
    } as CloudflarePurgerOptions);

  it('POSTs { files } and { tags } to /client/v4/zones/{zone_id}/purge_cache with a Bearer token', async () => {
    await make().purge({ urls: ['https://www.example.com/a', 'https://www.example.com/b'], tags: ['posts', 'isr-0123'] });
    expect(t.api.requests).toHaveLength(2);
    for (const request of t.api.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/client/v4/zones/zone123/purge_cache');
      expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
    }
    const bodies = t.api.requests.map((request) => JSON.parse(request.body));
    expect(bodies).toContainEqual({ files: ['https://www.example.com/a', 'https://www.example.com/b'] });
    expect(bodies).toContainEqual({ tags: ['posts', 'isr-0123'] });
  });

  it('sends at most batchSize (default 100) URLs or tags per request', async () => {
    const urls = Array.from({ length: 250 }, (_, i) => `https://www.example.com/p${i}`);
    await make().purge({ urls, tags: [] });
    expect(t.api.requests.map((request) => JSON.parse(request.body).files.length)).toEqual([100, 100, 50]);
    t.api.requests.length = 0;
    await make({ batchSize: 30 }).purge({ urls: urls.slice(0, 31), tags: [] });
    expect(t.api.requests.map((request) => JSON.parse(request.body).files.length).sort()).toEqual([1, 30]);
  });

  it('fails on 200 { success: false } with the errors array, without retrying', async () => {
    t.api.script({
      body: JSON.stringify({
        success: false,
        errors: [{ code: 1012, message: 'Request must contain one of "purge_everything", "files", "tags"' }],
      }),
    });
    await expect(make().purge({ urls: ['https://www.example.com/a'], tags: [] })).rejects.toThrow(
      /success: false \(1012 Request must contain/,
    );
    expect(t.api.requests).toHaveLength(1);
  });

  it.each([401, 403])('fails at once on %i, naming the env var and never the token', async (status) => {
    t.api.script({
      status,
      body: JSON.stringify({ success: false, errors: [{ code: 10000, message: `Authentication error for ${TOKEN}` }] }),
    });
    const error = await make()
      .purge({ urls: ['https://www.example.com/a'], tags: [] })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(PurgeError);
    expect((error as Error).message).toContain(`refused the token (${status})`);
    expect((error as Error).message).toContain('TEST_CF_TOKEN');
    expect((error as Error).message).not.toContain(TOKEN);
    expect(t.api.requests).toHaveLength(1);
  });

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    t.api.script({
      status: 429,
      headers: { 'retry-after': '3' },
      body: '{"success":false,"errors":[{"code":971,"message":"rate limited"}]}',
    });
    await make().purge({ urls: ['https://www.example.com/a'], tags: [] });
    expect(t.clock.delays).toEqual([3000]);
    expect(t.api.requests).toHaveLength(2);
    expect(t.api.requests[1].body).toBe(t.api.requests[0].body);
  });

  it('fails when Retry-After is longer than maxRetryAfterMs', async () => {
    t.api.script({ status: 429, headers: { 'retry-after': '120' } });
    await expect(make().purge({ urls: ['https://www.example.com/a'], tags: [] })).rejects.toThrow(
      /answered 429.*Retry-After 120 s is longer/,
    );
    expect(t.clock.delays).toEqual([]);
  });

  it('retries 5xx with a doubling delay and gives up after `retries`', async () => {
    t.api.fallback = { status: 502, body: 'bad gateway' };
    await expect(make({ retries: 2, retryDelayMs: 100 }).purge({ urls: ['https://www.example.com/a'], tags: [] })).rejects.toThrow(
      'cloudflare: the API answered 502 (bad gateway)',
    );
    expect(t.api.requests).toHaveLength(3);
    expect(t.clock.delays).toEqual([100, 200]);
  });

  it('times out a request that gets no answer, and retries it', async () => {
    t.api.script({ hang: true });
    await make({ timeoutMs: 200 }).purge({ urls: ['https://www.example.com/a'], tags: [] });
    expect(t.api.requests).toHaveLength(2);
    t.api.fallback = { hang: true };
    await expect(make({ timeoutMs: 200, retries: 0 }).purge({ urls: ['https://www.example.com/a'], tags: [] })).rejects.toThrow(
      'cloudflare: no answer within 200 ms',
    );
  });

  it('fails on a 2xx answer that is not JSON', async () => {
    t.api.script({ body: '<html>oops' });
    await expect(make().purge({ urls: ['https://www.example.com/a'], tags: [] })).rejects.toThrow('body that is not JSON');
  });

  it('fails without a request when the token variable is unset', async () => {
    delete process.env['TEST_CF_TOKEN'];
    await expect(make().purge({ urls: ['https://www.example.com/a'], tags: [] })).rejects.toThrow(
      'cloudflare: the environment variable TEST_CF_TOKEN is not set',
    );
    expect(t.api.requests).toHaveLength(0);
  });

  it('refuses a zone id that is not one', () => {
    expect(() => cloudflarePurger({ zoneId: '../zones' })).toThrow(TypeError);
  });
});
