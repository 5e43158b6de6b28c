import { mapBounded } from '../utils/map-bounded.js';
import { resolvePurgeHttp, sendPurgeCall, type PurgeCall } from './purge-http.js';
import { batches, secretFromEnv, type PurgeHttpOptions, type Purger, type PurgeRequest } from './purger.js';

/** Options of {@link cloudflarePurger}. */
export interface CloudflarePurgerOptions extends PurgeHttpOptions {
  /** The zone id (dashboard: the domain's Overview page, "Zone ID"). */
  zoneId: string;
  /** Name of the environment variable holding an API token with Zone › Cache Purge permission. Default `CLOUDFLARE_API_TOKEN`. */
  apiTokenEnv?: string;
  /** URLs or tags per request. Default 100 (Cloudflare's limit on every plan; Enterprise allows 500 URLs). */
  batchSize?: number;
  /** API origin (tests point it at a local server). Default `https://api.cloudflare.com`. */
  apiBaseUrl?: string;
  /** Purge by tag too (Cloudflare offers it on every plan since 2025). Default true. */
  purgeTags?: boolean;
}

interface CloudflareAnswer {
  success?: unknown;
  errors?: Array<{ code?: unknown; message?: unknown }>;
}

/** Cloudflare's error list as one short line (`1012 Request must contain one of …`). */
function cloudflareErrors(body: string): string {
  try {
    const answer = JSON.parse(body) as CloudflareAnswer;
    const errors = Array.isArray(answer.errors) ? answer.errors : [];
    const listed = errors.map((error) => `${String(error?.code ?? '')} ${String(error?.message ?? '')}`.trim()).join('; ');
    return listed || 'no error details';
  } catch {
    return 'no error details';
  }
}

/**
 * Purges Cloudflare's cache by URL (`{ files }`) and by tag (`{ tags }`) through
 * `POST /client/v4/zones/{zone_id}/purge_cache` with `Authorization: Bearer <token>`.
 * An answer counts only when it is JSON with `success: true`.
 */
export function cloudflarePurger(options: CloudflarePurgerOptions): Purger {
  if (typeof options?.zoneId !== 'string' || !/^[A-Za-z0-9]+$/.test(options.zoneId)) {
    throw new TypeError('cloudflarePurger: zoneId must be the zone id (letters and digits), e.g. from the dashboard');
  }
  const tokenEnv = options.apiTokenEnv ?? 'CLOUDFLARE_API_TOKEN';
  const endpoint = `${(options.apiBaseUrl ?? 'https://api.cloudflare.com').replace(/\/+$/, '')}/client/v4/zones/${options.zoneId}/purge_cache`;
  const size = Math.max(1, Math.floor(options.batchSize ?? 100));
  const http = resolvePurgeHttp(options);
  const call = (token: string, payload: { files: string[] } | { tags: string[] }): PurgeCall => ({
    method: 'POST',
    url: endpoint,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(payload),
    secrets: [token],
    accept(_status, body) {
      let answer: CloudflareAnswer;
      try {
        answer = JSON.parse(body) as CloudflareAnswer;
      } catch {
        throw new Error('the API answered 2xx with a body that is not JSON');
      }
      if (answer?.success !== true) {
        throw new Error(`the API answered success: false (${cloudflareErrors(body)})`);
      }
    },
    refused(status, body) {
      if (status === 401 || status === 403) {
        return `the API refused the token (${status}): check that ${tokenEnv} holds a token with Cache Purge permission for this zone (${cloudflareErrors(body)})`;
      }
      return `the API answered ${status} (${cloudflareErrors(body)})`;
    },
  });
  return {
    name: 'cloudflare',
    async purge(request: PurgeRequest) {
      const token = secretFromEnv(tokenEnv, 'cloudflare');
      const payloads = [
        ...batches(request.urls, size).map((files) => ({ files })),
        ...(options.purgeTags === false ? [] : batches(request.tags, size).map((tags) => ({ tags }))),
      ];
      await mapBounded(payloads, http.concurrency, (payload) => sendPurgeCall(call(token, payload), http, 'cloudflare'));
    },
  };
}
