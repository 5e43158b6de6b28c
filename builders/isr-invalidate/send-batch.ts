import { parseAnswer, type InvalidateAnswer } from './answer';
import type { InvalidateRequestBody } from './batches';
import { clean, httpFailureReason, networkFailureReason, type ReasonContext } from './reasons';

/** Everything `sendBatch` needs besides the body. */
export interface SendSettings extends ReasonContext {
  token: string;
  /** Retries after network errors, timeouts and 5xx. */
  retries: number;
  /** Pause before the first retry; doubled for each further one. */
  retryDelayMs?: number;
  /** Told before each retry (for the log). */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

/** What one batch came to. */
export type BatchOutcome =
  | { ok: true; answer: InvalidateAnswer; attempts: number }
  | { ok: false; reason: string; attempts: number };

/** Result of one attempt: an answer, a failure worth retrying, or a final failure. */
type Attempt =
  | { kind: 'answer'; answer: InvalidateAnswer }
  | { kind: 'retry' | 'fail'; reason: string };

const DEFAULT_RETRY_DELAY_MS = 300;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * POSTs one batch to the endpoint with Node's `fetch`, retrying network errors, timeouts and
 * 5xx answers with exponential back-off (invalidation is idempotent, so a repeat is harmless).
 * 4xx answers and malformed answers are final.
 */
export async function sendBatch(body: InvalidateRequestBody, settings: SendSettings): Promise<BatchOutcome> {
  const baseDelay = settings.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(body, settings);
    if (result.kind === 'answer') return { ok: true, answer: result.answer, attempts: attempt };
    if (result.kind === 'fail') return { ok: false, reason: result.reason, attempts: attempt };
    if (attempt > settings.retries) {
      const tries = attempt === 1 ? '' : ` (gave up after ${attempt} attempts)`;
      return { ok: false, reason: `${result.reason}${tries}`, attempts: attempt };
    }
    const delay = Math.min(baseDelay * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
    settings.onRetry?.(attempt, result.reason, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function attemptOnce(body: InvalidateRequestBody, settings: SendSettings): Promise<Attempt> {
  let response: Response;
  let text: string;
  try {
    // One timeout covers connecting, the headers and the whole body.
    response = await fetch(settings.endpoint, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${settings.token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
      // A redirected POST may turn into a GET or carry the token elsewhere: report it instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return { kind: 'retry', reason: networkFailureReason(error, settings) };
  }

  if (!response.ok) {
    const reason = httpFailureReason(response.status, response.statusText, serverMessage(text, settings.token), settings);
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
  return { kind: 'answer', answer };
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
