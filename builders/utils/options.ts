import { OptionsError } from './options-error';

/**
 * Parses `--base-url`: an absolute http(s) URL without credentials. Its path is kept as a prefix
 * by the callers.
 * @throws OptionsError when it is missing or anything else.
 */
export function parseBaseUrl(baseUrl: unknown): URL {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new OptionsError(
      '--base-url is required: the address of the running server, e.g. --base-url https://example.com ' +
        '(or "baseUrl" in the target in angular.json).',
    );
  }
  let base: URL;
  try {
    base = new URL(baseUrl.trim());
  } catch {
    throw new OptionsError(`--base-url "${baseUrl}" is not a URL; expected e.g. https://example.com.`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new OptionsError(`--base-url must start with http:// or https://, got "${base.protocol}".`);
  }
  // A user:password in the URL would be sent and shown in messages.
  if (base.username || base.password) {
    throw new OptionsError('--base-url must not contain a user name or password.');
  }
  return base;
}

/** `base`'s origin and path prefix (without trailing slashes) followed by `path` (`/…`). */
export function underBase(base: URL, path: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${prefix}${path}`);
}

/** Whether `value` is a path on the server: one leading `/`, not a protocol-relative `//host`. */
export function isServerPath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//');
}

/**
 * Turns one `--urls` entry into a path (`/path?query`). Accepts paths and absolute URLs on
 * `origin` (reduced to their path); drops `#fragments`, which never reach a server.
 * @param what how the entries are called in the message, e.g. `URLs to invalidate`.
 * @throws OptionsError for anything else.
 */
export function normaliseUrlEntry(entry: string, origin: string, what: string): string {
  const value = entry.trim();
  if (isServerPath(value)) {
    return value.replace(/#.*$/, '');
  }
  if (/^https?:\/\//i.test(value)) {
    const url = new URL(value);
    if (url.origin !== origin) {
      throw new OptionsError(`URL "${value}" is on another host than --base-url (${origin}).`);
    }
    return url.pathname + url.search;
  }
  throw new OptionsError(`"${value}" is not a path: ${what} start with "/", e.g. /blog/hello.`);
}

/** Keeps the first occurrence of each value, in order. */
export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * A whole-number option of at least `min`, or `fallback` when it was not given.
 * @param flag the option's flag name without dashes, e.g. `timeout-ms`.
 * @throws OptionsError otherwise.
 */
export function wholeNumber(value: number | undefined, fallback: number, flag: string, min: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min) {
    throw new OptionsError(`--${flag} must be a whole number of at least ${min}, got ${value}.`);
  }
  return result;
}
