import { DEFAULT_INVALIDATE_PATH, DEFAULT_TOKEN_ENV } from '../../common/constants';
import { OptionsError } from './options-error';
import type { InvalidateBuilderOptions } from './schema';

/** Defaults, mirrored in `schema.json` (Architect applies those; these cover direct calls). */
export const DEFAULTS = {
  path: DEFAULT_INVALIDATE_PATH,
  tokenEnv: DEFAULT_TOKEN_ENV,
  timeoutMs: 10_000,
  retries: 2,
  batchSize: 100,
} as const;

/** Checked, de-duplicated input of one run. */
export interface InvalidatePlan {
  /** Full URL of the invalidate endpoint. */
  endpoint: URL;
  /** Paths to invalidate, in the order given, each once. */
  urls: string[];
  /** Tags to invalidate, each once. */
  tags: string[];
  tokenEnv: string;
  timeoutMs: number;
  retries: number;
  batchSize: number;
  dryRun: boolean;
}

/**
 * Builds the endpoint URL from `baseUrl` and `path`. A path prefix in `baseUrl` is kept
 * (`https://example.com/shop` + `/api/invalidate` → `https://example.com/shop/api/invalidate`).
 * @throws OptionsError for anything but an absolute http(s) URL without credentials.
 */
export function resolveEndpoint(baseUrl: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl.trim());
  } catch {
    throw new OptionsError(`--base-url "${baseUrl}" is not a URL; expected e.g. https://example.com.`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new OptionsError(`--base-url must start with http:// or https://, got "${base.protocol}".`);
  }
  // A user:password in the URL would be sent and shown in messages; the token has its own channel.
  if (base.username || base.password) {
    throw new OptionsError('--base-url must not contain a user name or password.');
  }
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new OptionsError(`--path "${path}" must be a path starting with a single "/", e.g. /api/invalidate.`);
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${prefix}${path}`);
}

/**
 * Turns one `urls` entry into the path the server expects. Accepts `/path?query` and absolute
 * URLs on the same origin as the endpoint (reduced to their path); drops `#fragments`, which
 * never reach a server.
 * @throws OptionsError for anything else.
 */
export function normaliseUrlEntry(entry: string, endpoint: URL): string {
  const value = entry.trim();
  if (value.startsWith('/') && !value.startsWith('//')) {
    return value.replace(/#.*$/, '');
  }
  if (/^https?:\/\//i.test(value)) {
    const url = new URL(value);
    if (url.origin !== endpoint.origin) {
      throw new OptionsError(`URL "${value}" is on another host than --base-url (${endpoint.origin}).`);
    }
    return url.pathname + url.search;
  }
  throw new OptionsError(`"${value}" is not a path: URLs to invalidate start with "/", e.g. /blog/hello.`);
}

/** Keeps the first occurrence of each value, in order. */
function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Validates the options and merges `urls` with the entries of `urlsFile` (already read).
 * @throws OptionsError with a message meant for the user.
 */
export function normaliseOptions(options: InvalidateBuilderOptions, fileUrls: readonly string[] = []): InvalidatePlan {
  if (typeof options.baseUrl !== 'string' || options.baseUrl.trim() === '') {
    throw new OptionsError(
      '--base-url is required: the address of the running server, e.g. --base-url https://example.com ' +
        '(or "baseUrl" in the isr-invalidate target in angular.json).',
    );
  }
  const endpoint = resolveEndpoint(options.baseUrl, options.path ?? DEFAULTS.path);
  const urls = unique([...(options.urls ?? []), ...fileUrls].map((entry) => normaliseUrlEntry(entry, endpoint)));
  const tags = unique((options.tags ?? []).map((tag) => tag.trim()));
  if (tags.includes('')) {
    throw new OptionsError('--tags contains an empty tag.');
  }
  if (urls.length === 0 && tags.length === 0) {
    throw new OptionsError('Nothing to invalidate: pass --urls, --tags or --urls-file.');
  }
  const tokenEnv = (options.tokenEnv ?? DEFAULTS.tokenEnv).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new OptionsError(`--token-env must be the NAME of an environment variable, e.g. ISR_INVALIDATE_TOKEN.`);
  }
  return {
    endpoint,
    urls,
    tags,
    tokenEnv,
    timeoutMs: positiveInteger(options.timeoutMs, DEFAULTS.timeoutMs, 'timeout-ms', 1),
    retries: positiveInteger(options.retries, DEFAULTS.retries, 'retries', 0),
    batchSize: positiveInteger(options.batchSize, DEFAULTS.batchSize, 'batch-size', 1),
    dryRun: options.dryRun ?? false,
  };
}

function positiveInteger(value: number | undefined, fallback: number, flag: string, min: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min) {
    throw new OptionsError(`--${flag} must be a whole number of at least ${min}, got ${value}.`);
  }
  return result;
}

/**
 * Reads the token from the environment. Only ever from there: an option value would end up in
 * shell history and angular.json.
 * @throws OptionsError naming the variable when it is unset, or set but empty (or blank).
 */
export function readToken(env: NodeJS.ProcessEnv, tokenEnv: string): string {
  const value = env[tokenEnv];
  const token = value?.trim();
  if (!token) {
    const state = value === undefined ? 'is not set' : 'is empty';
    throw new OptionsError(
      `The environment variable ${tokenEnv} ${state}. Set it to the server's invalidation token ` +
        `(e.g. ${tokenEnv}=… ng run <app>:isr-invalidate …); it is never taken as an option.`,
    );
  }
  return token;
}
