import { get } from 'node:http';
import { cloudflarePurger, type CloudflarePurgerOptions } from '../../../runtime/cdn/cloudflare-purger.js';
import { fastlyPurger, type FastlyPurgerOptions } from '../../../runtime/cdn/fastly-purger.js';
import { cdnKeyTag } from '../../../runtime/cdn/tag-header.js';
import { startServer, type TestServer } from '../support/test-server.js';
import { TestEngine } from '../support/test-engine.js';
import { recordingSleep, startApiServer, type ApiServer } from './support/api-server.js';

const TOKEN = 's3cret';
const invalidate = (server: TestServer, body: object) =>
  fetch(`${server.base}/api/invalidate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKEN, ...body }),
  });

/** One header of a GET, read with a client that accepts headers beyond Node's default 16 KB. */
function largeHeader(url: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { maxHeaderSize: 65_536 }, (res) => {
      res.resume();
      resolve(String(res.headers[name] ?? ''));
    }).on('error', reject);
  });
}

describe('CDN tag headers on stored pages (real Express + ISRHandler)', () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  it.each([
    ['cloudflare', 'cache-tag', ','],
    ['fastly', 'surrogate-key', ' '],
    ['akamai', 'edge-cache-tag', ','],
  ] as const)('%s: %s lists the key tag and the route tags on MISS and HIT, not on BYPASS', async (kind, header, separator) => {
    const engine = new TestEngine().route('/blog/a', { revalidate: 60, tags: ['posts', 'author-1'] }).route('/plain', {});
    server = await startServer({ engine, invalidateSecretToken: TOKEN, cdn: { tagHeader: kind } });
    const miss = await fetch(`${server.base}/blog/a`);
    expect(miss.headers.get('x-isr-cache')).toBe('MISS');
    expect(miss.headers.get(header)).toBe([cdnKeyTag('/blog/a'), 'posts', 'author-1'].join(separator));
    const hit = await fetch(`${server.base}/blog/a?utm_source=x`);
    expect(hit.headers.get('x-isr-cache')).toBe('HIT');
    expect(hit.headers.get(header)).toBe(miss.headers.get(header));
    const bypass = await fetch(`${server.base}/plain`);
    expect(bypass.headers.get('x-isr-cache')).toBe('BYPASS');
    expect(bypass.headers.get(header)).toBeNull();
  });

  it('drops tags that do not fit the CDN (Akamai: 128 chars, no spaces) and warns once', async () => {
    const long = 'x'.repeat(129);
    const engine = new TestEngine()
      .route('/a', { revalidate: 60, tags: ['ok', 'has space', long] })
      .route('/b', { revalidate: 60, tags: [long] });
    server = await startServer({ engine, invalidateSecretToken: TOKEN, cdn: { tagHeader: 'akamai' } });
    expect((await fetch(`${server.base}/a`)).headers.get('edge-cache-tag')).toBe(`${cdnKeyTag('/a')},ok`);
    expect((await fetch(`${server.base}/b`)).headers.get('edge-cache-tag')).toBe(cdnKeyTag('/b'));
    const warnings = server.logger.at('warn').filter((line) => line.includes('CDN tag header'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("2 tag(s) of /a do not fit akamai's limits");
  });

  it('keeps the tag header within 8 KB by default, Cloudflare within 16 KB, Akamai within 128 tags', async () => {
    // 1,000 tags of ~45 bytes: past Cloudflare's 16 KB before its tag count.
    const many = Array.from({ length: 3000 }, (_, i) => `tag-number-${i}-${'x'.repeat(28)}`);
    const engine = new TestEngine().route('/cf', { revalidate: 60, tags: many }).route('/ak', { revalidate: 60, tags: many });
    server = await startServer({ engine, invalidateSecretToken: TOKEN, cdn: { tagHeader: 'cloudflare' } });
    const capped = (await fetch(`${server.base}/cf`)).headers.get('cache-tag') ?? '';
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(8192);
    expect(Buffer.byteLength(capped)).toBeGreaterThan(8100);
    await server.close();
    server = await startServer({ engine, invalidateSecretToken: TOKEN, cdn: { tagHeader: 'cloudflare', maxTagHeaderBytes: 1e6 } });
    const cf = await largeHeader(`${server.base}/cf`, 'cache-tag');
    expect(Buffer.byteLength(cf)).toBeLessThanOrEqual(16_384);
    expect(Buffer.byteLength(cf)).toBeGreaterThan(16_300);
    expect(cf.split(',')[0]).toBe(cdnKeyTag('/cf'));
    expect(cf.split(',').every((tag) => tag === cdnKeyTag('/cf') || many.includes(tag))).toBe(true);
    await server.close();
    server = await startServer({ engine, invalidateSecretToken: TOKEN, cdn: { tagHeader: 'akamai' } });
    expect(((await fetch(`${server.base}/ak`)).headers.get('edge-cache-tag') ?? '').split(',')).toHaveLength(128);
  });

  it('refuses a maxTagHeaderBytes that is not a positive number', async () => {
    for (const maxTagHeaderBytes of [0, -1, Number.NaN]) {
      await expect(startServer({ engine: new TestEngine(), cdn: { tagHeader: 'fastly', maxTagHeaderBytes } })).rejects.toThrow(
        `cdn.maxTagHeaderBytes must be a positive number of bytes, got ${maxTagHeaderBytes}`,
      );
    }
  });

  it('stores CDN-Cache-Control (RFC 9213) from a value or a function of the page', async () => {
    const engine = new TestEngine().route('/a', { revalidate: 60 }).route('/b', { revalidate: 0 });
    server = await startServer({
      engine,
      invalidateSecretToken: TOKEN,
      cdn: { cdnCacheControl: ({ revalidate }) => (revalidate === 0 ? 'max-age=86400' : `max-age=${revalidate}`) },
    });
    expect((await fetch(`${server.base}/a`)).headers.get('cdn-cache-control')).toBe('max-age=60');
    const b = await fetch(`${server.base}/b`);
    expect(b.headers.get('cdn-cache-control')).toBe('max-age=86400');
    expect(b.headers.get('cache-tag')).toBeNull();
    expect((await fetch(`${server.base}/b`)).headers.get('cdn-cache-control')).toBe('max-age=86400');
  });

  it('never stores a CDN-Cache-Control value Node cannot write (pages keep answering)', async () => {
    const engine = new TestEngine().route('/a', { revalidate: 60 });
    server = await startServer({ engine, invalidateSecretToken: TOKEN, cdn: { cdnCacheControl: 'max-age=60\r\nx-evil: 1' } });
    const first = await fetch(`${server.base}/a`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cdn-cache-control')).toBeNull();
    expect(first.headers.get('x-evil')).toBeNull();
    expect((await fetch(`${server.base}/a`)).headers.get('x-isr-cache')).toBe('HIT');
  });
});

describe('CDN purges after invalidation (real Express + ISRHandler + local CDN APIs)', () => {
  let server: TestServer;
  let cloudflare: ApiServer;
  let fastly: ApiServer;
  beforeEach(async () => {
    cloudflare = await startApiServer({ body: '{"success":true,"errors":[],"messages":[],"result":{"id":"x"}}' });
    fastly = await startApiServer({ body: '{"status":"ok"}' });
    process.env['TEST_CF_TOKEN'] = 'cf-token';
    process.env['TEST_FASTLY_TOKEN'] = 'fastly-token';
  });
  afterEach(async () => {
    await server?.close();
    await cloudflare.close();
    await fastly.close();
    delete process.env['TEST_CF_TOKEN'];
    delete process.env['TEST_FASTLY_TOKEN'];
  });

  const start = async () => {
    const engine = new TestEngine()
      .route('/blog/a', { revalidate: 60, tags: ['posts'] })
      .route('/blog/b', { revalidate: 60, tags: ['posts'] })
      .route('/about', { revalidate: 0 });
    const { sleep } = recordingSleep();
    server = await startServer({
      engine,
      invalidateSecretToken: TOKEN,
      allowedQueryParams: ['page'],
      cdn: {
        tagHeader: 'cloudflare',
        publicOrigin: 'https://www.example.com/',
        purgers: [
          cloudflarePurger({
            zoneId: 'zone1',
            apiTokenEnv: 'TEST_CF_TOKEN',
            apiBaseUrl: cloudflare.base,
            sleep,
          } as CloudflarePurgerOptions),
          fastlyPurger({
            serviceId: 'svc1',
            apiTokenEnv: 'TEST_FASTLY_TOKEN',
            apiBaseUrl: fastly.base,
            retries: 0,
            sleep,
          } as FastlyPurgerOptions),
        ],
      },
    });
    for (const path of ['/blog/a', '/blog/b', '/about']) {
      await fetch(`${server.base}${path}`);
    }
  };

  it('purges the invalidated pages by absolute URL and by tag, and reports it in the answer', async () => {
    await start();
    const response = await invalidate(server, { urlsToInvalidate: ['/about?utm_source=mail', '/missing'], tags: ['posts'] });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.purged.sort()).toEqual(['cloudflare', 'fastly']);
    expect(answer.purgeFailed).toEqual({});
    const bodies = cloudflare.requests.map((request) => JSON.parse(request.body));
    const files = bodies.flatMap((body) => body.files ?? []);
    expect(files.sort()).toEqual([
      'https://www.example.com/about',
      'https://www.example.com/blog/a',
      'https://www.example.com/blog/b',
      'https://www.example.com/missing',
    ]);
    const tags = bodies.flatMap((body) => body.tags ?? []);
    expect(tags.sort()).toEqual(['posts', ...['/about', '/blog/a', '/blog/b', '/missing'].map(cdnKeyTag)].sort());
    expect(fastly.requests.some((request) => request.path === '/purge/www.example.com/about')).toBe(true);
  });

  it('reports a failing purger in purgeFailed while the invalidation itself succeeds', async () => {
    await start();
    fastly.fallback = { status: 500, body: 'fastly-token leaked?' };
    const answer = await (await invalidate(server, { urlsToInvalidate: ['/about'] })).json();
    expect(answer.invalidated).toEqual(['/about']);
    expect(answer.purged).toEqual(['cloudflare']);
    expect(answer.purgeFailed).toEqual({ fastly: 'fastly: the API answered 500 ([redacted] leaked?)' });
    expect(server.logger.messages().join('\n')).not.toContain('fastly-token');
    expect(server.isr.metrics.snapshot().purges).toEqual({ cloudflare: { ok: 1, failed: 0 }, fastly: { ok: 0, failed: 1 } });
    expect(server.logger.at('warn')).toContain(
      'CDN purge failed: fastly: the API answered 500 ([redacted] leaked?); the CDN keeps its copies until they expire',
    );
  });

  it('does not purge when the token is wrong (401)', async () => {
    await start();
    const response = await fetch(`${server.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'nope', urlsToInvalidate: ['/about'] }),
    });
    expect(response.status).toBe(401);
    expect(cloudflare.requests).toHaveLength(0);
  });

  it('refuses purgers without a publicOrigin at construction', async () => {
    await expect(startServer({ engine: new TestEngine(), cdn: { purgers: [cloudflarePurger({ zoneId: 'z' })] } })).rejects.toThrow(
      'cdn.purgers needs cdn.publicOrigin',
    );
  });
});
