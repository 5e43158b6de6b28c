/**
 * `Vary` handling. A page that varies on a request header or cookie the cache key does not hold
 * (`Accept-Language`, `Cookie`, `*`) must not be shared: one visitor's variant would be served
 * to all. Only dimensions the cache itself serves per request may appear: `Accept-Encoding`
 * (stored br/gzip variants) and the dimensions of the `variants` option (`Cookie` for a cookie
 * variant, the header's name for a header variant: the key holds them, see `variants.ts`).
 */

/** Dimensions every handler serves itself. */
export const DEFAULT_VARY_DIMENSIONS: ReadonlySet<string> = new Set(['accept-encoding']);

/** The field names of a `Vary` value, lower-cased, without duplicates or empty entries. */
export function varyFields(vary: string | string[] | undefined): string[] {
  if (vary === undefined) {
    return [];
  }
  const joined = Array.isArray(vary) ? vary.join(',') : vary;
  const fields = joined
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter((field) => field !== '');
  return [...new Set(fields)];
}

/** Why a response with this `Vary` must not be stored, or `undefined` when it may be. */
export function unsupportedVary(
  vary: string | string[] | undefined,
  dimensions: ReadonlySet<string> = DEFAULT_VARY_DIMENSIONS,
): string | undefined {
  const other = varyFields(vary).filter((field) => !dimensions.has(field));
  return other.length === 0 ? undefined : `response varies on ${other.join(', ').slice(0, 100)}`;
}

/**
 * The `Vary` to send with a stored page: its own stored value, plus `Accept-Encoding` when
 * compressed variants exist. `undefined` when nothing varies. Computed once per entry.
 */
export function varyForEntry(stored: string | undefined, hasVariants: boolean): string | undefined {
  const fields = varyFields(stored);
  if (hasVariants && !fields.includes('accept-encoding')) {
    fields.push('accept-encoding');
  }
  return fields.length === 0 ? undefined : fields.map(capitalise).join(', ');
}

function capitalise(field: string): string {
  return field.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}
