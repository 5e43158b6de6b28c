import { MemoryCacheHandler } from '../../../runtime/cache/memory-cache-handler.js';
import type { ISRRenderRequest, RenderedPage } from '../../../runtime/engine/isr-engine.js';
import { renderNumber, TestEngine } from '../support/test-engine.js';
import { sendRaw, startApp, type IntegrityApp } from './support/integrity-app.js';

/**
 * Rule 2: one page, one key. Every spelling of a page that Angular's router reads as that page
 * reaches one entry; spellings whose meaning could change are answered (BYPASS) but never stored;
 * invalidating a path reaches the only entry the page can have.
 */

/**
 * Reads URLs the way Angular's router does: each segment decoded, matrix parameters (`;…`) and
 * auxiliary outlets ignored, `index.html` stripped, so that every spelling of a page renders it.
 */
class RouterLikeEngine extends TestEngine {
  override async render(request: ISRRenderRequest): Promise<RenderedPage | null> {
    const url = new URL(request.url);
    const segments = url.pathname
      .replace(/\/index\.html$/, '')
      .replace(/\(.*\)$/, '')
      .split('/')
      .map((segment) => {
        try {
          return encodeURIComponent(decodeURIComponent(segment.split(';', 1)[0]));
        } catch {
          return segment;
        }
      })
      .filter((segment, i) => i === 0 || segment !== '');
    url.pathname = segments.join('/') || '/';
    return super.render({ ...request, url: url.href.replace(/\/(\?|$)/, '$1') });
  }
}

/** A memory tier that counts its entries. */
class CountingCache extends MemoryCacheHandler {
  readonly keys = new Set<string>();
  override async set(entry: Parameters<MemoryCacheHandler['set']>[0]): Promise<void> {
    this.keys.add(entry.key);
    await super.set(entry);
  }
}

describe('one page, one key', () => {
  let app: IntegrityApp;
  let engine: RouterLikeEngine;
  let cache: CountingCache;

  beforeEach(async () => {
    engine = new RouterLikeEngine()
      .route('/public', { revalidate: 0 })
      .route('/caf%C3%A9', { revalidate: 0 })
      .route('/a%20b', { revalidate: 0 });
    cache = new CountingCache();
    app = await startApp({ engine, cache });
  });

  afterEach(async () => {
    await app.close();
  });

  const SAME_PAGE = [
    '/public',
    '/public/',
    '/%70ublic',
    '/%70%75%62%6c%69%63',
    '/pub%6Cic/',
    '/publi%63?utm_source=x',
    '/public?',
    '/public?gclid=1&fbclid=2',
    '/public#frag',
  ];

  it('serves every spelling of /public from one entry', async () => {
    const answers = [];
    for (const target of SAME_PAGE) {
      answers.push(await sendRaw(app.port, target));
    }
    expect(answers.map((a) => a.headers['x-isr-cache'])).toEqual(['MISS', ...Array(SAME_PAGE.length - 1).fill('HIT')]);
    expect(answers.every((a) => renderNumber(a.body) === 1)).toBe(true);
    expect([...cache.keys]).toEqual(['/public']);
    expect(engine.renders('/public')).toBe(1);
  });

  it('gives escapes of other characters one spelling (upper-case hex)', async () => {
    const first = await sendRaw(app.port, '/caf%c3%a9');
    const second = await sendRaw(app.port, '/caf%C3%A9/');
    const third = await sendRaw(app.port, '/a%20b');
    expect([first.headers['x-isr-cache'], second.headers['x-isr-cache'], third.headers['x-isr-cache']]).toEqual(['MISS', 'HIT', 'MISS']);
    expect([...cache.keys].sort()).toEqual(['/a%20b', '/caf%C3%A9']);
  });

  /** Spellings the router reads as /public, but whose meaning could change: answered, never stored. */
  const MAPPED_TO_PUBLIC = [
    '/public;s=1',
    '/public;jsessionid=abc',
    '/x/%2e%2e/public',
    '/x/%2E%2e/public',
    '/./public',
    '/%2e/public',
    '/x/../public',
    '//public',
    '/public//',
    '/public/index.html',
  ];

  /** Other spellings nobody should store: encoded slashes and backslashes, control characters, broken escapes. */
  const OTHER_UNUSUAL = [
    '/x/..%2fpublic',
    '/x%2Fpublic',
    '/x%2fpublic',
    '/x%5Cpublic',
    '/x\\public',
    '/public%00',
    '/public%0d%0a',
    '/public%',
    '/public%G1',
  ];

  it.each([...MAPPED_TO_PUBLIC.map((target) => [target, true] as const), ...OTHER_UNUSUAL.map((target) => [target, false] as const)])(
    'never stores %s (the /public page: %s)',
    async (target, isPublic) => {
      const answer = await sendRaw(app.port, target);
      const seen = [answer.status, answer.headers['x-isr-cache'], answer.headers['cache-status'], renderNumber(answer.body)];
      if (isPublic) {
        // The router-like engine renders /public for it: answered from the visitor's request, with a reason.
        expect(seen).toEqual([200, 'BYPASS', 'ng-isr; fwd=bypass; detail="unusual path"', 1]);
      } else {
        // No page for it (404 after next()), Node refused it (400), or a BYPASS render.
        expect(answer.status === 404 || answer.status === 400 || answer.headers['x-isr-cache'] === 'BYPASS').toBe(true);
      }
      expect([...cache.keys]).toEqual([]);
    },
  );

  it('keeps the entry count at one for 500 spellings of one page', async () => {
    const spellings: string[] = [];
    for (let i = 0; i < 250; i++) {
      const bits = i.toString(2).padStart(9, '0');
      // Every subset of escaped letters of "public" plus a trailing slash and tracking noise.
      let path = '/';
      for (const [n, char] of [...'public'].entries()) {
        path += bits[n] === '1' ? `%${char.charCodeAt(0).toString(16)[bits[7] === '1' ? 'toUpperCase' : 'toLowerCase']()}` : char;
      }
      spellings.push(`${path}${bits[6] === '1' ? '/' : ''}?utm_content=${i}${bits[8] === '1' ? ';s=1' : ''}`);
      spellings.push(`/public;s=${i}`);
    }
    for (const target of spellings) {
      await sendRaw(app.port, target);
    }
    expect([...cache.keys]).toEqual(['/public']);
  });

  it('invalidating /public reaches the one entry every spelling is served from', async () => {
    await sendRaw(app.port, '/%70ublic/');
    const response = await fetch(`${app.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify({ urlsToInvalidate: ['/public'] }),
    });
    expect(await response.json()).toMatchObject({ invalidated: ['/public'] });
    for (const target of SAME_PAGE) {
      expect([target, renderNumber((await sendRaw(app.port, target)).body)]).toEqual([target, 2]);
    }
  });

  it('invalidation canonicalises the URLs it is given the same way', async () => {
    await sendRaw(app.port, '/public');
    const response = await fetch(`${app.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify({ urlsToInvalidate: ['/%70ublic/', '/publi%63?utm_source=a'] }),
    });
    expect(await response.json()).toMatchObject({ invalidated: ['/%70ublic/', '/publi%63?utm_source=a'], notInCache: [] });
    expect(engine.renders('/public')).toBe(2);
    const refused = await fetch(`${app.base}/api/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify({ urlsToInvalidate: ['/public;s=1'] }),
    });
    expect(refused.status).toBe(400);
  });
});
