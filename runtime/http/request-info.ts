import type { IncomingMessage } from 'node:http';

/** The Node request as Express (4 or 5) hands it over; plain `http` requests work too. */
export type ISRRequest = IncomingMessage & {
  originalUrl?: string;
  baseUrl?: string;
  body?: unknown;
  protocol?: string;
};

/** Express-style `next`. */
export type ISRNext = (error?: unknown) => void;

/** Path + query as the client sent it, including the mount path. */
export function requestUrl(req: ISRRequest): string {
  return req.originalUrl ?? req.url ?? '/';
}

/** Absolute URL of the request, as the generated server.ts builds it for CommonEngine. */
export function absoluteUrl(req: ISRRequest): string {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const protocol = req.protocol ?? (encrypted ? 'https' : 'http');
  return `${protocol}://${req.headers.host ?? 'localhost'}${requestUrl(req)}`;
}

/**
 * Compiles a check for credentials: an `Authorization` header or one of the named cookies.
 * Cookie names are matched on the raw header (no parsing of values).
 */
export function compileCredentialCheck(cookieNames: readonly string[]): (req: IncomingMessage) => boolean {
  const names = new Set(cookieNames);
  return (req) => {
    if (req.headers.authorization !== undefined) {
      return true;
    }
    const cookie = req.headers.cookie;
    if (cookie === undefined || names.size === 0) {
      return false;
    }
    for (const pair of cookie.split(';')) {
      const eq = pair.indexOf('=');
      const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
      if (names.has(name)) {
        return true;
      }
    }
    return false;
  };
}

/** First plain host (no wildcard) of `NG_ALLOWED_HOSTS`, if any. */
export function firstAllowedHost(env: string | undefined): string | undefined {
  return env
    ?.split(',')
    .map((host) => host.trim())
    .find((host) => host !== '' && !host.includes('*'));
}
