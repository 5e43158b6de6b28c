import { createHash } from 'node:crypto';
import type { CacheEntry } from './cache-handler.js';

/**
 * Binary framing shared by the filesystem and Redis tiers: one self-contained blob per entry,
 * so that a reader can tell a complete entry from a truncated or damaged one.
 *
 * ```
 * offset 0  4 bytes  magic "NISR"
 * offset 4  1 byte   format version (1)
 * offset 5  4 bytes  header length H (uint32, big-endian)
 * offset 9  H bytes  header JSON (metadata, payload lengths, payload digest)
 * then               body bytes, br bytes, gzip bytes (lengths from the header)
 * ```
 */
const MAGIC = Buffer.from('NISR', 'latin1');
const VERSION = 1;
/** Bytes before the header JSON. */
export const FRAME_PREFIX_BYTES = 9;
/** Refuse absurd header lengths before allocating (a damaged length field). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** Metadata written in front of the payload. */
export interface EntryHeader {
  key: string;
  status: number;
  headers: Record<string, string>;
  etag: string;
  createdAt: number;
  revalidate: number;
  tags: string[];
  buildId?: string;
  /** Byte lengths of the payload parts, in payload order. */
  lengths: { body: number; br?: number; gzip?: number };
  /** sha256 (base64) of the payload, so damage inside it is detected at read time. */
  digest: string;
}

/** Thrown when a blob is not a complete, intact entry. Callers treat it as a miss. */
export class CorruptEntryError extends Error {
  override readonly name = 'CorruptEntryError';
}

/** Serialises `entry` into one self-describing blob. */
export function encodeEntry(entry: CacheEntry): Buffer {
  const parts = [entry.body];
  const lengths: EntryHeader['lengths'] = { body: entry.body.length };
  if (entry.variants.br) {
    parts.push(entry.variants.br);
    lengths.br = entry.variants.br.length;
  }
  if (entry.variants.gzip) {
    parts.push(entry.variants.gzip);
    lengths.gzip = entry.variants.gzip.length;
  }
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  const header: EntryHeader = {
    key: entry.key,
    status: entry.status,
    headers: entry.headers,
    etag: entry.etag,
    createdAt: entry.createdAt,
    revalidate: entry.revalidate,
    tags: entry.tags,
    ...(entry.buildId === undefined ? {} : { buildId: entry.buildId }),
    lengths,
    digest: digest.digest('base64'),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt8(VERSION, 4);
  prefix.writeUInt32BE(json.length, 5);
  return Buffer.concat([prefix, json, ...parts]);
}

/**
 * Length of the header JSON announced by the first {@link FRAME_PREFIX_BYTES} bytes of a blob.
 * Throws {@link CorruptEntryError} when the prefix is not ours.
 */
export function readHeaderLength(prefix: Buffer): number {
  if (prefix.length < FRAME_PREFIX_BYTES || !prefix.subarray(0, 4).equals(MAGIC)) {
    throw new CorruptEntryError('not an ng-isr cache entry');
  }
  if (prefix.readUInt8(4) !== VERSION) throw new CorruptEntryError('unknown entry format version');
  const length = prefix.readUInt32BE(5);
  if (length === 0 || length > MAX_HEADER_BYTES) throw new CorruptEntryError('bad header length');
  return length;
}

/** Parses and validates the header JSON; throws {@link CorruptEntryError} on any mismatch. */
export function parseHeader(json: Buffer): EntryHeader {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    throw new CorruptEntryError('header is not JSON');
  }
  if (!isEntryHeader(value)) throw new CorruptEntryError('header has the wrong shape');
  return value;
}

/** Total blob size the header announces (prefix + header + payload). */
export function frameLength(headerLength: number, header: EntryHeader): number {
  const { body, br = 0, gzip = 0 } = header.lengths;
  return FRAME_PREFIX_BYTES + headerLength + body + br + gzip;
}

/**
 * Turns a blob back into an entry. Any truncation, extra bytes, damaged header or payload
 * digest mismatch throws {@link CorruptEntryError}.
 */
export function decodeEntry(blob: Buffer): CacheEntry {
  const headerLength = readHeaderLength(blob);
  const headerEnd = FRAME_PREFIX_BYTES + headerLength;
  if (blob.length < headerEnd) throw new CorruptEntryError('truncated header');
  const header = parseHeader(blob.subarray(FRAME_PREFIX_BYTES, headerEnd));
  if (blob.length !== frameLength(headerLength, header)) {
    throw new CorruptEntryError('payload length does not match the header');
  }
  const payload = blob.subarray(headerEnd);
  if (createHash('sha256').update(payload).digest('base64') !== header.digest) {
    throw new CorruptEntryError('payload digest mismatch');
  }
  let offset = 0;
  const take = (length: number): Buffer => {
    // Copy, so a cached entry does not pin the whole blob (and callers may keep it long).
    const part = Buffer.from(payload.subarray(offset, offset + length));
    offset += length;
    return part;
  };
  const body = take(header.lengths.body);
  const br = header.lengths.br === undefined ? undefined : take(header.lengths.br);
  const gzip = header.lengths.gzip === undefined ? undefined : take(header.lengths.gzip);
  return {
    key: header.key,
    status: header.status,
    headers: header.headers,
    body,
    variants: { ...(br ? { br } : {}), ...(gzip ? { gzip } : {}) },
    etag: header.etag,
    createdAt: header.createdAt,
    revalidate: header.revalidate,
    tags: header.tags,
    ...(header.buildId === undefined ? {} : { buildId: header.buildId }),
  };
}

function isEntryHeader(value: unknown): value is EntryHeader {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  const lengths = h['lengths'] as Record<string, unknown> | undefined;
  const headers = h['headers'];
  return (
    typeof h['key'] === 'string' &&
    Number.isInteger(h['status']) &&
    typeof headers === 'object' &&
    headers !== null &&
    Object.values(headers).every((v) => typeof v === 'string') &&
    typeof h['etag'] === 'string' &&
    typeof h['createdAt'] === 'number' &&
    Number.isFinite(h['createdAt']) &&
    typeof h['revalidate'] === 'number' &&
    Number.isFinite(h['revalidate']) &&
    Array.isArray(h['tags']) &&
    h['tags'].every((t) => typeof t === 'string') &&
    (h['buildId'] === undefined || typeof h['buildId'] === 'string') &&
    typeof lengths === 'object' &&
    lengths !== null &&
    isLength(lengths['body']) &&
    (lengths['br'] === undefined || isLength(lengths['br'])) &&
    (lengths['gzip'] === undefined || isLength(lengths['gzip'])) &&
    typeof h['digest'] === 'string'
  );
}

function isLength(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
