import Negotiator from 'negotiator';

/** A stored variant the handler can send. */
export type Encoding = 'br' | 'gzip';

/** Our preference when the client rates encodings equally. */
const OFFERED = ['br', 'gzip', 'identity'];

/** Distinct `Accept-Encoding` values remembered; browsers send a handful, so this rarely fills. */
const MAX_REMEMBERED = 256;

/** `Accept-Encoding` value → the acceptable encodings among {@link OFFERED}, best first. */
const decisions = new Map<string, readonly string[]>();

/**
 * The client's acceptable encodings, best first, per RFC 9110 (q-values, `*`, `identity;q=0`,
 * any case and whitespace), parsed by `negotiator` (Express's own) once per distinct header value.
 */
function ranked(acceptEncoding: string): readonly string[] {
  let order = decisions.get(acceptEncoding);
  if (order === undefined) {
    const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } });
    // The typings omit the `preferred` option of negotiator 1.x (tie-break by our preference).
    const encodings = negotiator.encodings as (available: string[], options: { preferred: string[] }) => string[];
    order = encodings.call(negotiator, OFFERED, { preferred: OFFERED });
    if (decisions.size >= MAX_REMEMBERED) {
      decisions.clear();
    }
    decisions.set(acceptEncoding, order);
  }
  return order;
}

/**
 * The stored variant to send (`undefined` = the identity body). Without an `Accept-Encoding`
 * header any encoding is acceptable, but identity is the safe answer. When the client refuses
 * every encoding we hold, the identity body is sent (RFC 9110 allows it instead of a 406).
 */
export function pickEncoding(available: { br?: unknown; gzip?: unknown }, acceptEncoding: string | undefined): Encoding | undefined {
  if (acceptEncoding === undefined || (available.br === undefined && available.gzip === undefined)) {
    return undefined;
  }
  for (const encoding of ranked(acceptEncoding)) {
    if (encoding === 'identity') {
      return undefined;
    }
    if (available[encoding as Encoding] !== undefined) {
      return encoding as Encoding;
    }
  }
  return undefined;
}
