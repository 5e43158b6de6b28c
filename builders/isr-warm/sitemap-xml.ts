/** What a sitemap document lists. */
export interface SitemapDocument {
  /** `urlset`: pages; `sitemapindex`: further sitemaps. */
  kind: 'urlset' | 'sitemapindex';
  /** The `<loc>` values, entities decoded, in document order. */
  locs: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's predefined and numeric character references. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Reads a sitemap (sitemaps.org protocol): a `<urlset>` of pages or a `<sitemapindex>` of
 * sitemaps, each entry's address in `<loc>` (plain or CDATA). Not a general XML parser: enough
 * for the protocol's flat documents, namespaced or not.
 * @returns the document, or a short description of why the text is not a sitemap.
 */
export function parseSitemap(text: string): SitemapDocument | { notSitemap: string } {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('\x1f')) {
    return { notSitemap: 'it is gzip-compressed (.xml.gz); point --sitemap at the uncompressed sitemap' };
  }
  if (!body.startsWith('<')) {
    return { notSitemap: 'it is not XML' };
  }
  // Comments may mention tags; drop them first.
  const xml = body.replace(/<!--[\s\S]*?-->/g, '');
  const root = /<(?:[\w-]+:)?(urlset|sitemapindex)[\s>/]/i.exec(xml)?.[1]?.toLowerCase();
  if (root !== 'urlset' && root !== 'sitemapindex') {
    const html = /<(!doctype\s+html|html)[\s>]/i.test(xml) ? ' (an HTML page: the app answered instead of a sitemap file)' : '';
    return { notSitemap: `it has no <urlset> or <sitemapindex>${html}` };
  }
  const locs: string[] = [];
  for (const match of xml.matchAll(/<(?:[\w-]+:)?loc\s*>([\s\S]*?)<\/(?:[\w-]+:)?loc\s*>/gi)) {
    const raw = match[1]!.trim();
    const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw);
    const value = (cdata ? cdata[1]! : decodeXmlText(raw)).trim();
    if (value) locs.push(value);
  }
  return { kind: root, locs };
}
