import { createHash } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import type { GeneratedHtmlContext, ModifyCachedHtml, ModifyGeneratedHtml } from '../../../runtime/render/html-hooks.js';
import { renderNumber, TestEngine } from '../support/test-engine.js';
import { rawRequest, startServer, type TestServer } from '../support/test-server.js';

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

describe('HTML hooks over HTTP', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(hooks: { modifyGeneratedHtml?: ModifyGeneratedHtml; modifyCachedHtml?: ModifyCachedHtml }) {
    engine = new TestEngine().route('/a', { revalidate: 60, tags: ['t'] });
    server = await startServer({ engine, invalidateSecretToken: 'secret', ...hooks });
  }

  it('modifyGeneratedHtml edits the page before it is stored: stored bytes, ETag and br/gzip come from its result', async () => {
    const contexts: GeneratedHtmlContext[] = [];
    await start({
      modifyGeneratedHtml: async (html, context) => {
        contexts.push(context);
        return html.replace('</body>', `<footer>built ${context.key}</footer></body>`);
      },
    });
    const miss = await rawRequest(server.base + '/a');
    expect([miss.status, miss.headers['x-isr-cache']]).toEqual([200, 'MISS']);
    expect(miss.body.toString()).toContain('<footer>built /a</footer>');
    const stored = await server.isr.cache.get('/a');
    expect(stored?.body.toString()).toContain('<footer>built /a</footer>');
    expect(stored?.etag).toBe(etagOf(stored!.body));
    const br = await rawRequest(server.base + '/a', { headers: { 'accept-encoding': 'br' } });
    expect([br.headers['x-isr-cache'], br.headers['content-encoding']]).toEqual(['HIT', 'br']);
    expect(brotliDecompressSync(br.body).toString()).toContain('<footer>built /a</footer>');
    expect(contexts).toEqual([{ key: '/a', url: 'http://localhost/a', status: 200, revalidate: 60, tags: ['t'], variants: {} }]);
  });

  it('a throwing modifyGeneratedHtml fails the render: 500 and nothing stored on a MISS, the last good page on a regeneration', async () => {
    let failing = true;
    await start({
      modifyGeneratedHtml: (html) => {
        if (failing) throw new Error('template missing');
        return html + '<!-- ok -->';
      },
    });
    const first = await fetch(server.base + '/a');
    expect([first.status, await first.text()]).toEqual([500, 'express error handler']);
    expect(await server.isr.cache.get('/a')).toBeUndefined();
    expect(server.logger.at('error').join('\n')).toContain('render of /a failed: modifyGeneratedHtml threw: template missing');

    failing = false;
    expect((await fetch(server.base + '/a')).headers.get('x-isr-cache')).toBe('MISS');
    failing = true;
    const result = await server.isr.revalidatePath('/a');
    expect(result.failed).toEqual({ '/a': 'modifyGeneratedHtml threw: template missing' });
    const kept = await fetch(server.base + '/a');
    const body = await kept.text();
    expect([kept.status, renderNumber(body), body.endsWith('<!-- ok -->')]).toEqual([200, 2, true]);
  });

  it('modifyCachedHtml edits every cached answer: uncompressed, with an ETag of the bytes sent and 304s', async () => {
    await start({
      modifyCachedHtml: (html, { req, cacheStatus }) =>
        html.replace('<body>', `<body data-lang="${String(req.headers['accept-language'])}" data-cache="${cacheStatus}">`),
    });
    const miss = await rawRequest(server.base + '/a', { headers: { 'accept-language': 'de', 'accept-encoding': 'br, gzip' } });
    expect(miss.body.toString()).toContain('<body data-lang="de" data-cache="MISS">');
    expect(miss.headers['content-encoding']).toBeUndefined();
    const hit = await rawRequest(server.base + '/a', { headers: { 'accept-language': 'fr', 'accept-encoding': 'br, gzip' } });
    expect([hit.headers['x-isr-cache'], hit.headers['content-encoding']]).toEqual(['HIT', undefined]);
    expect(hit.body.toString()).toContain('<body data-lang="fr" data-cache="HIT">');
    expect(hit.headers['etag']).toBe(etagOf(hit.body));
    expect(Number(hit.headers['content-length'])).toBe(hit.body.length);
    // Stored bytes stay as rendered.
    expect((await server.isr.cache.get('/a'))?.body.toString()).not.toContain('data-lang');
    const revalidated = await rawRequest(server.base + '/a', {
      headers: { 'accept-language': 'fr', 'if-none-match': String(hit.headers['etag']) },
    });
    expect(revalidated.status).toBe(304);
    const otherLanguage = await rawRequest(server.base + '/a', {
      headers: { 'accept-language': 'de', 'if-none-match': String(hit.headers['etag']) },
    });
    expect(otherLanguage.status).toBe(200);
  });

  it('a throwing modifyCachedHtml is logged once at warn and the stored page is sent unchanged', async () => {
    await start({
      modifyCachedHtml: () => {
        throw new Error('bad hook');
      },
    });
    await fetch(server.base + '/a');
    const hit = await rawRequest(server.base + '/a', { headers: { 'accept-encoding': 'br' } });
    expect([hit.status, hit.headers['x-isr-cache'], hit.headers['content-encoding']]).toEqual([200, 'HIT', 'br']);
    expect(server.logger.at('warn').filter((line) => line.includes('modifyCachedHtml failed for /a: bad hook'))).toHaveLength(1);
    expect(server.logger.at('debug').some((line) => line.includes('modifyCachedHtml failed'))).toBe(true);
  });

  it('refuses hooks that are no functions', async () => {
    await expect(startServer({ engine: new TestEngine(), modifyCachedHtml: 'x' as unknown as ModifyCachedHtml })).rejects.toThrow(
      'ISRHandler: modifyCachedHtml must be a function',
    );
  });
});
