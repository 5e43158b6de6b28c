import { isAuthority } from './authority.js';

/**
 * Where stored pages are rendered: an origin from configuration only, never a visitor's Host.
 * Order: `regenerationOrigin`, else the first plain entry of `allowedHosts` / `NG_ALLOWED_HOSTS`,
 * else `http://localhost`.
 */
export const FALLBACK_ORIGIN = 'http://localhost';

/** Hosts the site is served under (`allowedHosts` option, else `NG_ALLOWED_HOSTS`), lower-cased. */
export function configuredHosts(allowedHosts: readonly string[] | undefined, env: string | undefined): string[] {
  const list = allowedHosts ?? env?.split(',') ?? [];
  return list.map((host) => host.trim().toLowerCase()).filter((host) => host !== '');
}

/**
 * `scheme://host[:port]` of `value`; throws a `TypeError` naming `option` for anything that is
 * not an http(s) origin (a path, query, credentials or another scheme).
 */
export function parseOrigin(value: string, option: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const plain = url !== undefined && /^https?:$/.test(url.protocol) && url.username === '' && url.password === '';
  if (!plain || url === undefined || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError(`ISRHandler: ${option} must be an http(s) origin such as "https://www.example.com", got "${value}".`);
  }
  return url.origin;
}

/**
 * The origin stored pages render for. A host entry may carry its scheme (`https://example.com`);
 * a bare host gets `http://`. Wildcard entries (`*.example.com`) cannot name an origin.
 */
export function renderOrigin(regenerationOrigin: string | undefined, hosts: readonly string[]): string {
  if (regenerationOrigin !== undefined) {
    return parseOrigin(regenerationOrigin, 'regenerationOrigin');
  }
  const first = hosts.find((host) => !host.includes('*'));
  if (first === undefined) {
    return FALLBACK_ORIGIN;
  }
  return parseOrigin(first.includes('://') ? first : `http://${first}`, 'allowedHosts[0]');
}

/** The host part of a host-list entry (`https://a.com` → `a.com`). */
function hostOfEntry(entry: string): string {
  const scheme = entry.indexOf('://');
  return scheme === -1 ? entry : entry.slice(scheme + 3).replace(/\/.*$/, '');
}

/**
 * A check whether a `host[:port]` is on the list: exact entries, and `*.example.com` for any
 * subdomain of `example.com` (like Angular's `allowedHosts`). The port of the request is ignored
 * when the entry has none.
 */
export function compileHostMatcher(hosts: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of hosts.map(hostOfEntry)) {
    if (entry.startsWith('*.')) {
      suffixes.push(entry.slice(1));
    } else {
      exact.add(entry);
    }
  }
  return (host) => {
    if (!isAuthority(host)) {
      return false;
    }
    const lower = host.toLowerCase();
    const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d*$/, '');
    return exact.has(lower) || exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
  };
}
