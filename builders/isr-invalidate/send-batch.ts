import { parseAnswer, type InvalidateAnswer } from './answer';
import type { InvalidateRequestBody } from './batches';
import { fetchText } from '../utils/fetch-text';
import { clean, networkFailureReason } from '../utils/network-reasons';
import { withRetries, type Attempt, type RetryOutcome, type RetrySettings } from '../utils/retry';
import { httpFailureReason, type ReasonContext } from './reasons';

/** Everything `sendBatch` needs besides the body. */
export interface SendSettings extends ReasonContext, RetrySettings {
  token: string;
}

/** What one batch came to. */
export type BatchOutcome = RetryOutcome<InvalidateAnswer>;

/**
 * POSTs one batch to the endpoint with Node's `fetch`, retrying network errors, timeouts and
 * 5xx answers with exponential back-off (invalidation is idempotent, so a repeat is harmless).
 * 4xx answers and malformed answers are final.
 */
export async function sendBatch(body: InvalidateRequestBody, settings: SendSettings): Promise<BatchOutcome> {
  return withRetries(() => attemptOnce(body, settings), settings);
}

async function attemptOnce(body: InvalidateRequestBody, settings: SendSettings): Promise<Attempt<InvalidateAnswer>> {
  let response: Response;
  let text: string;
  try {
    ({ response, text } = await fetchText(
      settings.endpoint,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${settings.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        // A redirected POST may turn into a GET or carry the token elsewhere: report it instead.
        redirect: 'manual',
      },
      { timeoutMs: settings.timeoutMs },
    ));
  } catch (error) {
    return { kind: 'retry', reason: networkFailureReason(error, settings) };
  }

  if (!response.ok) {
    const retryAfterSeconds = response.status === 429 ? retryAfterOf(response.headers.get('retry-after')) : undefined;
    const context = { ...settings, retryAfterSeconds };
    const reason = httpFailureReason(response.status, response.statusText, serverMessage(text, settings.token), context);
    if (retryAfterSeconds !== undefined && retryAfterSeconds <= MAX_RETRY_AFTER_SECONDS) {
      // Worth one of the retries: the server says when the client may try again.
      return { kind: 'retry', reason, delayMs: retryAfterSeconds * 1000 };
    }
    return { kind: response.status >= 500 ? 'retry' : 'fail', reason };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    const start = text.trim() ? `, starting "${clean(text, settings.token, 60)}"` : ', empty';
    return { kind: 'fail', reason: `malformed answer: not JSON (${response.status}, ${type}${start}); is --path the invalidate endpoint?` };
  }
  const answer = parseAnswer(json);
  if ('malformed' in answer) {
    return { kind: 'fail', reason: `malformed answer (${response.status}): ${answer.malformed}` };
  }
  return { kind: 'done', value: answer };
}

/** Longest `Retry-After` of a 429 the builder waits for (within its retries) instead of failing at once. */
const MAX_RETRY_AFTER_SECONDS = 60;

/** Seconds of a `Retry-After` header given in seconds (the HTTP-date form is not used by ng-isr). */
function retryAfterOf(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header.trim());
  return Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
}

/** The `error` of a JSON error body, or the start of a text body (e.g. a proxy's HTML page). */
function serverMessage(text: string, token: string): string {
  try {
    const json: unknown = JSON.parse(text);
    const error = (json as { error?: unknown } | null)?.error;
    if (typeof error === 'string') return clean(error, token);
  } catch {
    // Not JSON: fall through to the raw text.
  }
  // HTML error pages say little in their first characters; strip tags so the line stays readable.
  return clean(text.replace(/<[^>]*>/g, ' '), token, 120);
}
