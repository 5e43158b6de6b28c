/** An HTTP answer with its body read (up to a limit). */
export interface FetchedText {
  response: Response;
  text: string;
  /** Bytes of body read. */
  bytes: number;
  /** True when the body was longer than `maxBytes` and reading stopped there. */
  truncated: boolean;
}

/** How long and how much to read. */
export interface FetchLimits {
  /** One timeout for connecting, the headers and the whole body. */
  timeoutMs: number;
  /** Most body bytes to read; the rest is not downloaded. Default: no limit. */
  maxBytes?: number;
}

/**
 * Node's `fetch` with one timeout over the whole exchange and a bound on the body size. Rejects
 * like `fetch` does (network errors; a `TimeoutError` when the time is up), so callers can word
 * the failure with `networkFailureReason`.
 */
export async function fetchText(url: URL, init: RequestInit, limits: FetchLimits): Promise<FetchedText> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(limits.timeoutMs) });
  const maxBytes = limits.maxBytes ?? Infinity;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (bytes + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - bytes));
        bytes = maxBytes;
        truncated = true;
        await reader.cancel().catch(() => undefined);
        break;
      }
      chunks.push(value);
      bytes += value.byteLength;
    }
  }
  return { response, text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}
