/** A page answer as the invalidation specs look at it. */
export interface PageAnswer {
  status: number;
  cache: string | null;
  body: string;
}

/** GETs a page without following redirects. */
export async function getPage(base: string, path: string): Promise<PageAnswer> {
  const response = await fetch(base + path, { redirect: 'manual' });
  return { status: response.status, cache: response.headers.get('x-isr-cache'), body: await response.text() };
}

/** POSTs an invalidate body with the token as `Authorization: Bearer`; resolves with status and JSON. */
export async function postInvalidate(
  base: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(base + '/api/invalidate', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
