import type { IncomingMessage } from 'node:http';

/** The Node request as Express (4 or 5) hands it over; plain `http` requests work too. */
export type ISRRequest = IncomingMessage & {
  originalUrl?: string;
  baseUrl?: string;
  body?: unknown;
  protocol?: string;
  /** The Express app (its `trust proxy` setting decides whether `X-Forwarded-*` counts). */
  app?: { get?(setting: string): unknown };
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
