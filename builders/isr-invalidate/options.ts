import { DEFAULT_INVALIDATE_PATH, DEFAULT_TOKEN_ENV } from '../../common/constants';
import { OptionsError } from '../utils/options-error';
import { normaliseUrlEntry as normaliseEntry, parseBaseUrl, underBase, isServerPath, unique, wholeNumber } from '../utils/options';
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
  const base = parseBaseUrl(baseUrl);
  if (!isServerPath(path)) {
    throw new OptionsError(`--path "${path}" must be a path starting with a single "/", e.g. /api/invalidate.`);
  }
  return underBase(base, path);
}

/**
 * Turns one `urls` entry into the path the server expects. Accepts `/path?query` and absolute
 * URLs on the same origin as the endpoint (reduced to their path); drops `#fragments`, which
 * never reach a server.
 * @throws OptionsError for anything else.
 */
export function normaliseUrlEntry(entry: string, endpoint: URL): string {
  return normaliseEntry(entry, endpoint.origin, 'URLs to invalidate');
}

/**
 * Validates the options and merges `urls` with the entries of `urlsFile` (already read).
 * @throws OptionsError with a message meant for the user.
 */
export function normaliseOptions(options: InvalidateBuilderOptions, fileUrls: readonly string[] = []): InvalidatePlan {
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
    timeoutMs: wholeNumber(options.timeoutMs, DEFAULTS.timeoutMs, 'timeout-ms', 1),
    retries: wholeNumber(options.retries, DEFAULTS.retries, 'retries', 0),
    batchSize: wholeNumber(options.batchSize, DEFAULTS.batchSize, 'batch-size', 1),
    dryRun: options.dryRun ?? false,
  };
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
