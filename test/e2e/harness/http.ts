import { request as httpRequest } from 'node:http';

/** One HTTP answer, body read as text. */
export interface Answer {
  status: number;
  headers: Headers;
  body: string;
  /** `x-isr-cache` (null when the handler did not answer). */
  cache: string | null;
}

/** GET (or another method) without following redirects. */
export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, cache: response.headers.get('x-isr-cache') };
}

/** POSTs a JSON (or raw string) body to the invalidate endpoint; the answer's JSON is parsed. */
export async function postInvalidate(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/api/invalidate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { unparsed: text };
  }
  return { status: response.status, json };
}

/** The server render time a decorated page shows (`<time id="rendered-at">`). */
export function renderedAt(html: string): string {
  const match = /id="rendered-at"[^>]*>([^<]+)</.exec(html);
  if (!match) {
    throw new Error(`no render timestamp in the page:\n${html.slice(0, 500)}`);
  }
  return match[1];
}

/** True for HTML that Angular rendered on the server (the CSR fallback shell lacks the marker). */
export function isServerRendered(html: string): boolean {
  return /ng-server-context="ssr/.test(html);
}

/**
 * Polls `probe` every `intervalMs` until it returns a value (not undefined); fails with the last
 * observation after `timeoutMs`. Used to wait for events such as a background regeneration.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** GET with an arbitrary Host header (fetch does not let a caller choose Host). */
export function getWithHost(baseUrl: string, path: string, host: string): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET', headers: { host }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) {
            headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8'), cache: headers.get('x-isr-cache') });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
