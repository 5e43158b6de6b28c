import type { IncomingMessage } from 'node:http';

/**
 * Cache variants: request dimensions (one cookie's value, one header's value) that select a
 * different stored page for the same URL. Each lists the values it may take, so the number of
 * entries per URL is fixed by configuration: a request with any other value BYPASSes.
 *
 * A variant key is the page key plus `#name=value&name=value` for the dimensions the request
 * carries, in the order they were configured (`/pricing#currency=eur`). A canonical key never
 * holds a raw `#` (paths and queries encode it), so the two parts cannot be confused.
 */

/** One variant dimension (option `variants`). Give exactly one of `cookie` and `header`. */
export interface CacheVariant {
  /** Label in the cache key and in `ISRRenderContext.variants` (`[A-Za-z0-9_.~-]`, at most 64). */
  name: string;
  /** The cookie whose value selects the variant, e.g. `currency`. Never a credential cookie. */
  cookie?: string;
  /** The request header whose value selects the variant, e.g. `x-device-class`. */
  header?: string;
  /**
   * The values that get their own entry (`[A-Za-z0-9_.~-]`, at most 64 characters each). A
   * request without the cookie/header gets the plain page; any other value BYPASSes.
   */
  values: readonly string[];
}

/** Most entries one URL may have across all variants (the product of the value counts). */
export const MAX_VARIANT_KEYS = 256;

/** Separator between a page key and its variant part. */
const VARIANT_MARK = '#';

const TOKEN = /^[A-Za-z0-9_.~-]{1,64}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that carry credentials or routing: never a variant. */
const REFUSED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'host', 'x-forwarded-host', 'forwarded']);

/** A variant dimension as the handler uses it. */
interface Dimension {
  name: string;
  /** `cookie` or the lower-cased header name. */
  kind: 'cookie' | 'header';
  field: string;
  values: ReadonlySet<string>;
}

/** The request's variant part, or why it must bypass the cache. */
export type VariantSuffix = { ok: true; suffix: string } | { ok: false; reason: string };

/** The compiled `variants` option. */
export interface VariantRules {
  /** `#name=value…` for the request (`''` when it carries none of the dimensions), or a bypass reason. */
  suffixOf(req: IncomingMessage): VariantSuffix;
  /** The page key and the variant values of a (possibly variant) key. */
  parse(key: string): { base: string; values: Record<string, string> };
  /** The headers a synthetic render of these values carries (a `cookie` header, or the variant headers). */
  headersFor(values: Readonly<Record<string, string>>): Record<string, string>;
  /** Every key of a page: the plain one first, then each combination of values (for invalidation). */
  keysOf(base: string): string[];
  /** `Vary` fields the variants cover: `cookie` and/or the header names. */
  varyFields: ReadonlySet<string>;
}

/**
 * Checks and compiles the `variants` option; throws a `TypeError` naming the mistake. A variant
 * cookie that counts as a credential (`isCredentialCookie`) is refused: such requests bypass.
 */
export function compileVariants(
  variants: readonly CacheVariant[],
  isCredentialCookie: (name: string) => boolean,
): VariantRules | undefined {
  if (variants.length === 0) {
    return undefined;
  }
  const dimensions = variants.map((variant, index) => checkVariant(variant, index, isCredentialCookie));
  const names = new Set<string>();
  const fields = new Set<string>();
  let combinations = 1;
  for (const dimension of dimensions) {
    if (names.has(dimension.name)) throw new TypeError(`ISRHandler: variants: the name "${dimension.name}" is used twice.`);
    if (fields.has(`${dimension.kind}:${dimension.field}`)) {
      throw new TypeError(`ISRHandler: variants: the ${dimension.kind} "${dimension.field}" is used twice.`);
    }
    names.add(dimension.name);
    fields.add(`${dimension.kind}:${dimension.field}`);
    combinations *= dimension.values.size + 1;
  }
  if (combinations > MAX_VARIANT_KEYS) {
    throw new TypeError(`ISRHandler: variants allow ${combinations} entries per URL; at most ${MAX_VARIANT_KEYS}.`);
  }
  const byName = new Map(dimensions.map((dimension) => [dimension.name, dimension]));
  return {
    suffixOf: (req) => suffixOf(req, dimensions),
    parse: (key) => parseKey(key, byName),
    headersFor: (values) => headersFor(values, dimensions),
    keysOf: (base) => keysOf(base, dimensions),
    varyFields: new Set(dimensions.map((dimension) => (dimension.kind === 'cookie' ? 'cookie' : dimension.field))),
  };
}

function checkVariant(variant: CacheVariant, index: number, isCredentialCookie: (name: string) => boolean): Dimension {
  const where = `ISRHandler: variants[${index}]`;
  if (typeof variant !== 'object' || variant === null || typeof variant.name !== 'string' || !TOKEN.test(variant.name)) {
    throw new TypeError(`${where}: "name" must be 1-64 characters of A-Z a-z 0-9 _ . ~ -`);
  }
  const { cookie, header } = variant;
  if ((cookie === undefined) === (header === undefined)) {
    throw new TypeError(`${where} ("${variant.name}"): give exactly one of "cookie" and "header".`);
  }
  let kind: Dimension['kind'];
  let field: string;
  if (cookie !== undefined) {
    if (typeof cookie !== 'string' || !HEADER_NAME.test(cookie)) throw new TypeError(`${where}: "cookie" must be a cookie name.`);
    if (/^__(?:host|secure)-/i.test(cookie) || isCredentialCookie(cookie)) {
      throw new TypeError(
        `${where}: the cookie "${cookie}" counts as a credential (credentialCookies, __Host-/__Secure-): requests carrying it bypass the cache, so it cannot select a variant.`,
      );
    }
    kind = 'cookie';
    field = cookie;
  } else {
    if (typeof header !== 'string' || !HEADER_NAME.test(header)) throw new TypeError(`${where}: "header" must be a header name.`);
    field = header.toLowerCase();
    if (REFUSED_HEADERS.has(field)) throw new TypeError(`${where}: the header "${header}" cannot select a variant.`);
    kind = 'header';
  }
  if (!Array.isArray(variant.values) || variant.values.length === 0) {
    throw new TypeError(`${where} ("${variant.name}"): "values" must list the values that get their own entry.`);
  }
  for (const value of variant.values) {
    if (typeof value !== 'string' || !TOKEN.test(value)) {
      throw new TypeError(`${where} ("${variant.name}"): each value must be 1-64 characters of A-Z a-z 0-9 _ . ~ -`);
    }
  }
  return { name: variant.name, kind, field, values: new Set(variant.values) };
}

/** The value a request carries for a dimension: `undefined` when absent, `null` when ambiguous (sent twice, differently). */
function requestValue(req: IncomingMessage, dimension: Dimension): string | undefined | null {
  if (dimension.kind === 'header') {
    const value = req.headers[dimension.field];
    if (Array.isArray(value)) return value.length === 1 ? value[0].trim() : null;
    return value === undefined ? undefined : value.trim();
  }
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  let found: string | undefined | null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== dimension.field) continue;
    const value = pair.slice(eq + 1).trim();
    if (found !== undefined && found !== value) return null;
    found = value;
  }
  return found;
}

function suffixOf(req: IncomingMessage, dimensions: readonly Dimension[]): VariantSuffix {
  let suffix = '';
  for (const dimension of dimensions) {
    const value = requestValue(req, dimension);
    if (value === undefined) continue;
    if (value === null || !dimension.values.has(value)) {
      // The value itself is never echoed (it is the visitor's).
      return { ok: false, reason: `variant "${dimension.name}": ${value === null ? 'sent twice' : 'value not in its values'}` };
    }
    suffix += `${suffix === '' ? VARIANT_MARK : '&'}${dimension.name}=${value}`;
  }
  return { ok: true, suffix };
}

function parseKey(key: string, byName: ReadonlyMap<string, Dimension>): { base: string; values: Record<string, string> } {
  const at = key.indexOf(VARIANT_MARK);
  if (at === -1) return { base: key, values: {} };
  const values: Record<string, string> = {};
  for (const pair of key.slice(at + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    // Only configured names and values: a key stored under an older configuration renders as the plain page.
    if (eq > 0 && byName.get(name)?.values.has(value)) values[name] = value;
  }
  return { base: key.slice(0, at), values };
}

function headersFor(values: Readonly<Record<string, string>>, dimensions: readonly Dimension[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const dimension of dimensions) {
    const value = values[dimension.name];
    if (value === undefined) continue;
    if (dimension.kind === 'cookie') cookies.push(`${dimension.field}=${value}`);
    else headers[dimension.field] = value;
  }
  if (cookies.length > 0) headers['cookie'] = cookies.join('; ');
  return headers;
}

function keysOf(base: string, dimensions: readonly Dimension[]): string[] {
  let suffixes = [''];
  for (const dimension of dimensions) {
    const next = [...suffixes];
    for (const suffix of suffixes) {
      for (const value of dimension.values) next.push(`${suffix === '' ? VARIANT_MARK : `${suffix}&`}${dimension.name}=${value}`);
    }
    suffixes = next;
  }
  return suffixes.map((suffix) => base + suffix);
}
