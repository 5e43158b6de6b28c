import type { ServerResponse } from 'node:http';

/** Writes a JSON answer that no cache may keep (the invalidate endpoint's only content type). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

/** `{ "error": "…" }` with `status`. */
export function sendJsonError(res: ServerResponse, status: number, error: string): void {
  sendJson(res, status, { error });
}
