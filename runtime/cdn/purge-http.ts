import { errorMessage } from '../utils/logger.js';
import { PurgeError, type PurgeHttpOptions } from './purger.js';

/** One HTTP call of a purger. */
export interface PurgeCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Secrets that must never appear in a reason (removed from anything the server echoes). */
  secrets: readonly string[];
  /** Reads a 2xx answer; throws a PurgeError when the body says the purge failed. */
  accept?(status: number, body: string): void;
  /** Reason for a non-2xx answer that is not retried (401, 403, 400, …). */
  refused(status: number, body: string): string;
}

/** Options with defaults applied, plus a sleep that tests can replace. */
export interface ResolvedPurgeHttp {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  maxRetryAfterMs: number;
  concurrency: number;
  sleep: (ms: number) => Promise<void>;
}

/** Defaults of {@link PurgeHttpOptions}. */
export function resolvePurgeHttp(options: PurgeHttpOptions & { sleep?: (ms: number) => Promise<void> } = {}): ResolvedPurgeHttp {
  const whole = (value: number | undefined, fallback: number, min = 0): number =>
    value !== undefined && Number.isFinite(value) && value >= min ? Math.floor(value) : fallback;
  return {
    timeoutMs: whole(options.timeoutMs, 10_000, 1),
    retries: Math.min(whole(options.retries, 2), 10),
    retryDelayMs: whole(options.retryDelayMs, 500),
    maxRetryAfterMs: whole(options.maxRetryAfterMs, 30_000),
    concurrency: Math.max(1, whole(options.concurrency, 2, 1)),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.())),
  };
}

/** `Retry-After` as ms: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim()) * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Removes secrets and line breaks from text a server sent back, and keeps it short. */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret !== '') {
      clean = clean.split(secret).join('[redacted]');
    }
  }
  clean = clean.replace(/\s+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/** One attempt: resolves on success, throws a PurgeError (retryable or not) otherwise. */
async function attempt(call: PurgeCall, http: ResolvedPurgeHttp, label: string): Promise<void> {
  let response: Response;
  let body: string;
  const signal = AbortSignal.timeout(http.timeoutMs);
  try {
    response = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      redirect: 'manual',
      signal,
    });
    body = await response.text();
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${http.timeoutMs} ms` : `network error: ${redact(errorMessage(error), call.secrets)}`;
    throw new PurgeError(`${label}: ${reason}`, true);
  }
  const { status } = response;
  if (status === 429 || status >= 500) {
    const wait = retryAfterMs(response.headers.get('retry-after'));
    const said = redact(body, call.secrets);
    throw new PurgeError(`${label}: the API answered ${status}${said ? ` (${said.slice(0, 120)})` : ''}`, true, wait);
  }
  if (status < 200 || status >= 300) {
    throw new PurgeError(`${label}: ${redact(call.refused(status, body), call.secrets)}`);
  }
  try {
    call.accept?.(status, body);
  } catch (error) {
    throw new PurgeError(`${label}: ${redact(errorMessage(error), call.secrets)}`);
  }
}

/**
 * Sends `call`, retrying 429, 5xx, timeouts and network errors up to `retries` times with a
 * doubling delay, or after the server's `Retry-After` when it gives one (a wait longer than
 * `maxRetryAfterMs` fails at once: the invalidation answer must not hang on a rate limit).
 */
export async function sendPurgeCall(call: PurgeCall, http: ResolvedPurgeHttp, label: string): Promise<void> {
  for (let attemptNo = 0; ; attemptNo++) {
    try {
      return await attempt(call, http, label);
    } catch (error) {
      if (!(error instanceof PurgeError) || !error.retryable || attemptNo >= http.retries) {
        throw error;
      }
      const wait = error.retryAfterMs ?? http.retryDelayMs * 2 ** attemptNo;
      if (wait > http.maxRetryAfterMs) {
        throw new PurgeError(`${error.message}; Retry-After ${Math.ceil(wait / 1000)} s is longer than maxRetryAfterMs`);
      }
      await http.sleep(wait);
    }
  }
}
