import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { CacheEntry, CacheEntryVariants } from './cache-handler.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Bodies smaller than this are not worth compressing. */
const MIN_COMPRESS_BYTES = 256;

/** Response headers never stored with a page (hop-by-hop, per-response or recomputed ones). */
const UNSTORED_HEADERS = new Set([
  'set-cookie',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
  'etag',
  'x-isr-cache',
  'age',
]);

/** Lower-cased page headers worth storing with the entry. */
export function storableHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const stored: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || UNSTORED_HEADERS.has(lower)) {
      continue;
    }
    stored[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return stored;
}

/** Strong validator of a body: quoted, base64url SHA-256 prefix. */
export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Largest body compressed at brotli quality 9; larger ones get {@link LARGE_PAGE_QUALITY}. */
const HIGH_QUALITY_MAX_BYTES = 64 * 1024;
/**
 * Brotli quality for larger pages. Above a 64 KiB window, quality 9 makes the encoder allocate
 * about 16 MiB of hash tables, freed on the event loop when the stream closes: measured 5-6 ms of
 * main-thread CPU (and ~70 ms of pool CPU) per 256 KiB page, against 0.4-0.9 ms at quality 6
 * for a variant 6-15% larger.
 */
const LARGE_PAGE_QUALITY = 6;

/**
 * Brotli parameters for a body of `length` bytes. The window is the smallest that holds the whole
 * body (16-24 bits): the same output as the 4 MiB default, with encoder state sized to the page.
 */
export function brotliParamsFor(length: number): Record<number, number> {
  const lgwin = Math.min(24, Math.max(16, Math.ceil(Math.log2(Math.max(1, length)))));
  return {
    [zlibConstants.BROTLI_PARAM_QUALITY]: length <= HIGH_QUALITY_MAX_BYTES ? 9 : LARGE_PAGE_QUALITY,
    [zlibConstants.BROTLI_PARAM_LGWIN]: lgwin,
    [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
    [zlibConstants.BROTLI_PARAM_SIZE_HINT]: length,
  };
}

/** br and gzip variants, kept only when smaller than the body. Runs once per stored page. */
export async function compressVariants(body: Buffer): Promise<CacheEntryVariants> {
  if (body.length < MIN_COMPRESS_BYTES) {
    return {};
  }
  const [br, gz] = await Promise.all([brotli(body, { params: brotliParamsFor(body.length) }), gzipAsync(body, { level: 9 })]);
  const variants: CacheEntryVariants = {};
  if (br.length < body.length) {
    variants.br = br;
  }
  if (gz.length < body.length) {
    variants.gzip = gz;
  }
  return variants;
}

export interface EntryInput {
  key: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  revalidate: number;
  tags: readonly string[];
  buildId?: string;
  /** Skip br/gzip (option `compress: false`). */
  compress: boolean;
  now: number;
}

/** Builds the stored form of a rendered page: filtered headers, ETag, compressed variants. */
export async function buildEntry(input: EntryInput): Promise<CacheEntry> {
  const entry: CacheEntry = {
    key: input.key,
    status: input.status,
    headers: storableHeaders(input.headers),
    body: input.body,
    variants: input.compress ? await compressVariants(input.body) : {},
    etag: etagOf(input.body),
    createdAt: input.now,
    revalidate: input.revalidate,
    tags: [...new Set(input.tags)],
  };
  if (input.buildId !== undefined) {
    entry.buildId = input.buildId;
  }
  return entry;
}
