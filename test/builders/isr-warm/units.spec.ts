import { normaliseWarmOptions } from '../../../builders/isr-warm/options';
import { isParameterised, parseRoutesFile } from '../../../builders/isr-warm/routes-file';
import { parseSitemap } from '../../../builders/isr-warm/sitemap-xml';
import { onWarmedOrigin } from '../../../builders/isr-warm/targets';
import optionsSchema from '../../../builders/isr-warm/schema.json';

// The builder's pure parts; HTTP behaviour is covered by errors.spec.ts and contract.spec.ts.
describe('isr-warm pure helpers', () => {
  it('declares only option types the Angular CLI turns into flags', () => {
    const types = Object.values(optionsSchema.properties).map((property) => property.type);
    expect(types.filter((type) => !['string', 'number', 'boolean', 'array'].includes(type))).toEqual([]);
    expect(optionsSchema.required).toEqual(['baseUrl']);
  });

  it('reads <loc> values: namespaced, CDATA, entities, comments', () => {
    const xml = `\uFEFF<?xml version="1.0"?>
      <!-- <urlset><loc>http://x/commented</loc></urlset> -->
      <sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sm:url><sm:loc> https://example.com/a?x=1&amp;y=2 </sm:loc></sm:url>
        <sm:url><sm:loc><![CDATA[https://example.com/b?q=a&b]]></sm:loc></sm:url>
        <sm:url><sm:loc>https://example.com/caf&#xE9;</sm:loc></sm:url>
      </sm:urlset>`;
    expect(parseSitemap(xml)).toEqual({
      kind: 'urlset',
      locs: ['https://example.com/a?x=1&y=2', 'https://example.com/b?q=a&b', 'https://example.com/café'],
    });
    expect(parseSitemap('<sitemapindex><sitemap><loc>https://e.com/s1.xml</loc></sitemap></sitemapindex>')).toEqual({
      kind: 'sitemapindex',
      locs: ['https://e.com/s1.xml'],
    });
  });

  it('says why a text is not a sitemap', () => {
    expect(parseSitemap('User-agent: *')).toEqual({ notSitemap: 'it is not XML' });
    expect(parseSitemap('\x1f\x8b\x08\x00')).toEqual({
      notSitemap: 'it is gzip-compressed (.xml.gz); point --sitemap at the uncompressed sitemap',
    });
    expect(parseSitemap('<rss><channel/></rss>')).toEqual({ notSitemap: 'it has no <urlset> or <sitemapindex>' });
  });

  it('reads route lists: text, JSON arrays, prerendered-routes.json; adds the leading slash', () => {
    expect(parseRoutesFile('# routes\n\nblog/a\n/about\n\n')).toEqual({ paths: ['/blog/a', '/about'], parameterised: [] });
    expect(parseRoutesFile('["", "blog/:slug", "docs/**"]')).toEqual({ paths: ['/'], parameterised: ['/blog/:slug', '/docs/**'] });
    expect(parseRoutesFile('{"routes":{"/":{},"/x":{"headers":{}}}}')).toEqual({ paths: ['/', '/x'], parameterised: [] });
    expect(parseRoutesFile('{"routes":["/a", 3]}')).toEqual({ malformed: 'the list holds entries that are not strings' });
    expect(parseRoutesFile('{"pages":[]}')).toEqual({ malformed: 'expected an array of paths or an object with "routes"' });
    expect([isParameterised('/a/:id/b'), isParameterised('/a/*'), isParameterised('/a:b')]).toEqual([true, true, false]);
  });

  it('keeps URLs on the warmed origin, moves the public origin onto it, skips the rest', () => {
    const rule = { origin: 'http://app:4000', publicOrigin: 'https://example.com' };
    expect(onWarmedOrigin('http://app:4000/a#top', rule)).toEqual(new URL('http://app:4000/a'));
    expect(onWarmedOrigin('https://example.com/b?p=2', rule)).toEqual(new URL('http://app:4000/b?p=2'));
    expect(onWarmedOrigin('https://cdn.example/c', rule)).toEqual({
      url: 'https://cdn.example/c',
      reason: 'on another host than --base-url (http://app:4000)',
    });
    expect(onWarmedOrigin('/relative', rule)).toEqual({ url: '/relative', reason: 'not an absolute URL' });
  });

  it('defaults to <base-url>/sitemap.xml only when no other source is given; keeps a path prefix', () => {
    expect(normaliseWarmOptions({ baseUrl: 'https://example.com/shop/' }).sitemap?.href).toBe('https://example.com/shop/sitemap.xml');
    expect(normaliseWarmOptions({ baseUrl: 'https://example.com', urls: ['/a'] }).sitemap).toBeUndefined();
    expect(normaliseWarmOptions({ baseUrl: 'https://example.com', routesFile: 'r.txt' }).sitemap).toBeUndefined();
    const plan = normaliseWarmOptions({ baseUrl: 'https://example.com', urls: ['/a'], sitemap: '/pages.xml' });
    expect([plan.sitemap?.href, plan.concurrency, plan.timeoutMs, plan.retries, plan.maxUrls]).toEqual([
      'https://example.com/pages.xml',
      4,
      30_000,
      2,
      10_000,
    ]);
    expect(() => normaliseWarmOptions({ baseUrl: '' })).toThrow(/^--base-url is required: the address of the running server/);
    expect(() => normaliseWarmOptions({ baseUrl: 'https://e.com', concurrency: 0 })).toThrow(
      '--concurrency must be a whole number of at least 1, got 0.',
    );
  });
});
