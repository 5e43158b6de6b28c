// HTTP helpers for the benchmark (loopback only).
import { request } from 'node:http';

/** One GET; resolves status, headers and the body bytes. A fresh connection each time (`agent: false`). */
export function get(url, headers = {}, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** One POST with a JSON body. */
export function postJson(url, body, headers = {}, timeoutMs = 300_000) {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, json, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The page's render counter and the server's RSS, from the benchmark's stats route. */
export async function stats(origin) {
  const res = await get(`${origin}/__bench/stats`);
  return JSON.parse(res.body.toString('utf8'));
}

/**
 * Waits until the render counter stops moving (no change for `quietMs`), bounded by `timeoutMs`:
 * background regenerations finish after the answers were sent.
 */
export async function settledRenders(origin, quietMs = 750, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = (await stats(origin)).renders;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = (await stats(origin)).renders;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      break;
    }
  }
  return last;
}
