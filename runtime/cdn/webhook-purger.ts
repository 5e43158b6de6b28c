import { createHmac } from 'node:crypto';
import { redact, resolvePurgeHttp, sendPurgeCall } from './purge-http.js';
import { secretFromEnv, type PurgeHttpOptions, type Purger, type PurgeRequest } from './purger.js';

/** Header carrying the webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-isr-signature';

/** Options of {@link webhookPurger}. */
export interface WebhookPurgerOptions extends PurgeHttpOptions {
  /** Where to POST `{ urls, paths, tags }` (https in production). */
  url: string;
  /** Name of the environment variable holding the shared signing secret. Default `ISR_PURGE_WEBHOOK_SECRET`. */
  secretEnv?: string;
  /** Name in answers, logs and metrics. Default `webhook`. */
  name?: string;
}

/**
 * `t=<timestamp>,v1=<hex>` where the hex is HMAC-SHA256(secret, `${timestamp}.${rawBody}`).
 * Receivers recompute it over the raw body, compare in constant time and refuse timestamps
 * older than a few minutes (replays).
 */
export function webhookSignature(secret: string, rawBody: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * Posts every invalidation as JSON `{ "urls": [absolute URLs], "paths": [...], "tags": [...] }`
 * with a signature header, for CDNs without a built-in purger (CloudFront, nginx, Varnish) or
 * any other system that should learn about changed pages. Any 2xx counts as done.
 */
export function webhookPurger(options: WebhookPurgerOptions): Purger {
  let target: URL;
  try {
    target = new URL(options?.url);
  } catch {
    throw new TypeError('webhookPurger: url must be an absolute http(s) URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new TypeError('webhookPurger: url must be an absolute http(s) URL');
  }
  const secretEnv = options.secretEnv ?? 'ISR_PURGE_WEBHOOK_SECRET';
  const name = options.name ?? 'webhook';
  const http = resolvePurgeHttp(options);
  return {
    name,
    async purge(request: PurgeRequest) {
      const secret = secretFromEnv(secretEnv, name);
      const paths = request.urls.map((url) => {
        const parsed = new URL(url);
        return parsed.pathname + parsed.search;
      });
      const body = JSON.stringify({ urls: request.urls, paths, tags: request.tags });
      const signature = webhookSignature(secret, body, Math.floor(Date.now() / 1000));
      await sendPurgeCall(
        {
          method: 'POST',
          url: target.href,
          headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature },
          body,
          secrets: [secret, signature],
          refused: (status, text) => `the webhook answered ${status}${text ? ` (${redact(text, [secret]).slice(0, 120)})` : ''}`,
        },
        http,
        name,
      );
    },
  };
}
