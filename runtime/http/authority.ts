import { isIPv6 } from 'node:net';
import type { ISRRequest } from './request-info.js';

/**
 * Syntax checks for the headers that name the site a request is for (`Host`, `X-Forwarded-*`,
 * `Forwarded`). A value that is not a plain authority could turn `protocol://host + path` into
 * another URL (`Host: localhost/drafts?`), so such requests get a 400 before any render.
 */

/** RFC 3986 reg-name (unreserved, pct-encoded, sub-delims) or IPv4, with an optional port. */
const REG_NAME_AUTHORITY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+(?::\d{0,5})?$/;
/** `[IPv6]` with an optional port. */
const IP_LITERAL_AUTHORITY = /^\[([0-9A-Fa-f:.]+)\](?::\d{0,5})?$/;

/** True for a syntactically valid `host[:port]` (RFC 3986 reg-name, IPv4 or `[IPv6]`; port ≤ 65535). */
export function isAuthority(value: string): boolean {
  const ipLiteral = IP_LITERAL_AUTHORITY.exec(value);
  if (ipLiteral === null ? !REG_NAME_AUTHORITY.test(value) : !isIPv6(ipLiteral[1])) {
    return false;
  }
  const colon = value.lastIndexOf(':');
  const port = colon === -1 || value.endsWith(']') ? '' : value.slice(colon + 1);
  return port === '' || Number(port) <= 65_535;
}

const isScheme = (value: string): boolean => /^https?$/i.test(value);
const isPort = (value: string): boolean => /^\d{1,5}$/.test(value) && Number(value) <= 65_535;

/** True when every comma-separated element of `value` passes `check`. */
function everyElement(value: string | string[] | undefined, check: (element: string) => boolean): boolean {
  if (value === undefined) {
    return true;
  }
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.split(',').every((element) => check(element.trim()));
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const FORWARDED_PAIR = new RegExp(`^(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")$`);

/** RFC 7239 `Forwarded`: `name=value` pairs; `host` must be an authority, `proto` http(s). */
function isForwardedElement(element: string): boolean {
  return element.split(';').every((rawPair) => {
    const pair = rawPair.trim();
    if (pair === '') {
      return true;
    }
    const match = FORWARDED_PAIR.exec(pair);
    if (match === null) {
      return false;
    }
    const name = match[1].toLowerCase();
    const value = match[2].startsWith('"') ? match[2].slice(1, -1).replace(/\\(.)/g, '$1') : match[2];
    return name === 'host' ? isAuthority(value) : name === 'proto' ? isScheme(value) : true;
  });
}

/** True when Express's `trust proxy` setting makes this request's `X-Forwarded-*` headers count. */
export function trustsForwardedHeaders(req: ISRRequest): boolean {
  const trust = req.app?.get?.('trust proxy fn') as ((address: string | undefined, hop: number) => boolean) | undefined;
  return typeof trust === 'function' && trust(req.socket?.remoteAddress, 0) === true;
}

/**
 * Which header makes the request malformed, or `undefined`. `Host` (when present) and `Forwarded`
 * are always checked; `X-Forwarded-Host/Proto/Port` only when they count (`trust proxy`).
 */
export function malformedHostHeader(req: ISRRequest): string | undefined {
  const headers = req.headers;
  const host = headers.host;
  if (host !== undefined && !isAuthority(host)) {
    return 'Host';
  }
  if (!everyElement(headers.forwarded, isForwardedElement)) {
    return 'Forwarded';
  }
  if (
    headers['x-forwarded-host'] === undefined &&
    headers['x-forwarded-proto'] === undefined &&
    headers['x-forwarded-port'] === undefined
  ) {
    return undefined;
  }
  if (!trustsForwardedHeaders(req)) {
    return undefined;
  }
  if (!everyElement(headers['x-forwarded-host'], isAuthority)) {
    return 'X-Forwarded-Host';
  }
  if (!everyElement(headers['x-forwarded-proto'], isScheme)) {
    return 'X-Forwarded-Proto';
  }
  return everyElement(headers['x-forwarded-port'], isPort) ? undefined : 'X-Forwarded-Port';
}

/** The host the visitor asked for: the first `X-Forwarded-Host` when it counts, else `Host`. */
export function visitorHost(req: ISRRequest): string | undefined {
  const forwarded = req.headers['x-forwarded-host'];
  if (forwarded !== undefined && trustsForwardedHeaders(req)) {
    return (Array.isArray(forwarded) ? forwarded[0] : forwarded).split(',', 1)[0].trim();
  }
  return req.headers.host;
}
