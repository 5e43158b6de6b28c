import { mapBounded } from '../utils/map-bounded.js';
import { redact, resolvePurgeHttp, sendPurgeCall, type PurgeCall } from './purge-http.js';
import { batches, secretFromEnv, type PurgeHttpOptions, type Purger, type PurgeRequest } from './purger.js';

/** Options of {@link fastlyPurger}. */
export interface FastlyPurgerOptions extends PurgeHttpOptions {
  /** The service id (Fastly console, the service's page). */
  serviceId: string;
  /** Name of the environment variable holding an API token with `purge_select` scope. Default `FASTLY_API_TOKEN`. */
  apiTokenEnv?: string;
  /** Mark content stale instead of removing it (`Fastly-Soft-Purge: 1`). Default false. */
  soft?: boolean;
  /** Surrogate keys per request. Default 256 (Fastly's limit). */
  batchSize?: number;
  /** API origin (tests point it at a local server). Default `https://api.fastly.com`. */
  apiBaseUrl?: string;
  /** Also purge each URL (`POST /purge/{host}{path}`, one request a URL); the key tag already covers it. Default true. */
  purgeUrls?: boolean;
}

/**
 * Purges Fastly by surrogate key (`POST /service/{service_id}/purge` with a JSON body
 * `{ "surrogate_keys": [...] }`) and by URL (`POST /purge/{host}{path}`), authenticated with the
 * `Fastly-Key` header.
 */
export function fastlyPurger(options: FastlyPurgerOptions): Purger {
  if (typeof options?.serviceId !== 'string' || !/^[A-Za-z0-9]+$/.test(options.serviceId)) {
    throw new TypeError('fastlyPurger: serviceId must be the service id (letters and digits)');
  }
  const tokenEnv = options.apiTokenEnv ?? 'FASTLY_API_TOKEN';
  const base = (options.apiBaseUrl ?? 'https://api.fastly.com').replace(/\/+$/, '');
  const size = Math.max(1, Math.min(256, Math.floor(options.batchSize ?? 256)));
  const http = resolvePurgeHttp(options);
  const call = (token: string, url: string, body?: string): PurgeCall => ({
    method: 'POST',
    url,
    headers: {
      'fastly-key': token,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.soft ? { 'fastly-soft-purge': '1' } : {}),
    },
    body,
    secrets: [token],
    refused(status, text) {
      const said = redact(text, [token]).slice(0, 120);
      if (status === 401 || status === 403) {
        return `the API refused the token (${status}): check that ${tokenEnv} holds a token with purge_select scope for this service${said ? ` (${said})` : ''}`;
      }
      return `the API answered ${status}${said ? ` (${said})` : ''}`;
    },
  });
  return {
    name: 'fastly',
    async purge(request: PurgeRequest) {
      const token = secretFromEnv(tokenEnv, 'fastly');
      const calls = [
        ...batches(request.tags, size).map((keys) =>
          call(token, `${base}/service/${options.serviceId}/purge`, JSON.stringify({ surrogate_keys: keys })),
        ),
        ...(options.purgeUrls === false ? [] : request.urls.map((url) => call(token, `${base}/purge/${url.replace(/^https?:\/\//, '')}`))),
      ];
      await mapBounded(calls, http.concurrency, (one) => sendPurgeCall(one, http, 'fastly'));
    },
  };
}
