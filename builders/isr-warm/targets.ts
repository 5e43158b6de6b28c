/** A page (or a child sitemap) that will not be requested, and why. */
export interface Skipped {
  url: string;
  reason: string;
}

/** Where requests go: the base URL's origin, and the public origin that stands for it. */
export interface OriginRule {
  origin: string;
  publicOrigin: string | undefined;
}

/**
 * Maps an absolute URL found in a sitemap onto the origin that is warmed. URLs on the base URL's
 * origin are kept; URLs on `--public-origin` are moved to the base URL's origin (same path and
 * query); anything else is skipped: the builder only ever requests the deployment it was given.
 */
export function onWarmedOrigin(href: string, rule: OriginRule): URL | Skipped {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { url: href, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { url: href, reason: `not an http(s) URL` };
  }
  url.hash = '';
  if (url.origin === rule.origin) return url;
  if (rule.publicOrigin !== undefined && url.origin === rule.publicOrigin) {
    return new URL(url.pathname + url.search, rule.origin);
  }
  const hint = rule.publicOrigin === undefined ? "; set --public-origin if it is this deployment's public address" : '';
  return { url: href, reason: `on another host than --base-url (${rule.origin})${hint}` };
}

/** How a page is shown in the report: its path and query. */
export function display(url: URL): string {
  return url.pathname + url.search;
}
