/** One request's worth of work. */
export interface Batch {
  urls: string[];
  tags: string[];
}

/** The JSON body of `POST /api/invalidate` (see docs/builder.md); empty lists are left out. */
export interface InvalidateRequestBody {
  urlsToInvalidate?: string[];
  tags?: string[];
}

/**
 * Splits URLs, then tags, into batches of at most `size` entries in total, so no request
 * exceeds the server's list limit. Order is kept.
 */
export function planBatches(urls: readonly string[], tags: readonly string[], size: number): Batch[] {
  const entries = [...urls.map((url) => ({ url })), ...tags.map((tag) => ({ tag }))];
  const batches: Batch[] = [];
  for (let start = 0; start < entries.length; start += size) {
    const batch: Batch = { urls: [], tags: [] };
    for (const entry of entries.slice(start, start + size)) {
      if ('url' in entry) batch.urls.push(entry.url);
      else batch.tags.push(entry.tag);
    }
    batches.push(batch);
  }
  return batches;
}

/** The request body for a batch. */
export function requestBody(batch: Batch): InvalidateRequestBody {
  return {
    ...(batch.urls.length > 0 ? { urlsToInvalidate: batch.urls } : {}),
    ...(batch.tags.length > 0 ? { tags: batch.tags } : {}),
  };
}
