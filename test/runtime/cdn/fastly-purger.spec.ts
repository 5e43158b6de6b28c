import { fastlyPurger, type FastlyPurgerOptions } from '../../../runtime/cdn/fastly-purger.js';
import { purgerApiFixture } from './support/api-server.js';

const TOKEN = 'fastly-secret-key-xyz';

describe('fastlyPurger against a local Fastly API', () => {
  const t = purgerApiFixture({ body: JSON.stringify({ status: 'ok', id: '108-1391560174-974124' }) }, 'TEST_FASTLY_TOKEN', TOKEN);
  const make = (options: Partial<FastlyPurgerOptions> = {}) =>
    fastlyPurger({
      serviceId: 'SU1Z0isxPaozGVKXdv0eY',
      apiBaseUrl: t.api.base,
      apiTokenEnv: 'TEST_FASTLY_TOKEN',
      ...options,
      sleep: t.clock.sleep,
    } as FastlyPurgerOptions);

  it('purges keys with POST /service/{service_id}/purge { surrogate_keys } and URLs with POST /purge/{host}{path}, with Fastly-Key', async () => {
    await make().purge({ urls: ['https://www.example.com/blog/a?page=2'], tags: ['posts', 'isr-0123'] });
    const keys = t.api.requests.find((request) => request.path.startsWith('/service/'));
    expect(keys).toMatchObject({ method: 'POST', path: '/service/SU1Z0isxPaozGVKXdv0eY/purge' });
    expect(keys?.headers['fastly-key']).toBe(TOKEN);
    expect(keys?.headers['content-type']).toBe('application/json');
    expect(keys?.headers['accept']).toBe('application/json');
    expect(JSON.parse(keys?.body ?? '')).toEqual({ surrogate_keys: ['posts', 'isr-0123'] });
    const url = t.api.requests.find((request) => request.path.startsWith('/purge/'));
    expect(url).toMatchObject({ method: 'POST', path: '/purge/www.example.com/blog/a?page=2', body: '' });
    expect(url?.headers['fastly-key']).toBe(TOKEN);
    expect(t.api.requests).toHaveLength(2);
    expect(t.api.requests.every((request) => request.headers['fastly-soft-purge'] === undefined)).toBe(true);
  });

  it('sends at most 256 keys per request and Fastly-Soft-Purge: 1 when soft', async () => {
    const tags = Array.from({ length: 300 }, (_, i) => `t${i}`);
    await make({ soft: true, purgeUrls: false }).purge({ urls: ['https://www.example.com/x'], tags });
    expect(t.api.requests.map((request) => JSON.parse(request.body).surrogate_keys.length).sort()).toEqual([256, 44]);
    expect(t.api.requests.every((request) => request.headers['fastly-soft-purge'] === '1')).toBe(true);
  });

  it('fails at once on 401 without the key in the reason', async () => {
    t.api.script({ status: 401, body: JSON.stringify({ msg: `Provided credentials are missing or invalid: ${TOKEN}` }) });
    const error = (await make({ purgeUrls: false })
      .purge({ urls: [], tags: ['a'] })
      .catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/fastly: the API refused the token \(401\): check that TEST_FASTLY_TOKEN/);
    expect(error.message).not.toContain(TOKEN);
    expect(t.api.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429 (HTTP date) and retries 503', async () => {
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    t.api.script({ status: 429, headers: { 'retry-after': inTwoSeconds } }, { status: 503, body: 'busy' });
    await make({ purgeUrls: false, retryDelayMs: 50 }).purge({ urls: [], tags: ['a'] });
    expect(t.api.requests).toHaveLength(3);
    expect(t.clock.delays[0]).toBeGreaterThan(0);
    expect(t.clock.delays[0]).toBeLessThanOrEqual(2000);
    expect(t.clock.delays[1]).toBe(100);
  });
});
