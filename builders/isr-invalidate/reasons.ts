/**
 * One-line, human reasons for the invalidate endpoint's HTTP answers. They never contain the
 * token: callers pass every server-provided text through `clean` (builders/utils).
 */
import type { NetworkContext } from '../utils/network-reasons';

/** Context for wording the reasons. */
export interface ReasonContext extends NetworkContext {
  tokenEnv: string;
  batchSize: number;
  /** Seconds from a `Retry-After` header of the answer being worded, if any. */
  retryAfterSeconds?: number;
}

function retryAfterText(ctx: ReasonContext): string {
  return ctx.retryAfterSeconds === undefined ? '' : `, retry after ${ctx.retryAfterSeconds} s`;
}

/**
 * Reason for a non-2xx HTTP answer. `serverMessage` is the (cleaned) `error` of a JSON body or
 * the start of a text body; it may be empty.
 */
export function httpFailureReason(status: number, statusText: string, serverMessage: string, ctx: ReasonContext): string {
  const said = serverMessage ? `: ${serverMessage}` : '';
  const answered = `${status}${statusText ? ` ${statusText}` : ''}`;
  switch (status) {
    case 400:
      return `the server rejected the request (400)${said}`;
    case 401:
      return `the server refused the token (401): check that ${ctx.tokenEnv} holds the server's token${said ? ` (server said${said})` : ''}`;
    case 403:
      return `invalidation is switched off on the server (403): it has no token configured${said ? ` (server said${said})` : ''}`;
    case 404:
    case 405:
      return `no invalidate endpoint at ${ctx.endpoint.href} (${answered}): check --base-url and --path`;
    case 429:
      return `the server refused further attempts from this client after too many wrong tokens (429)${retryAfterText(ctx)}; check that ${ctx.tokenEnv} holds the server's token`;
    case 413:
      return `the request is larger than the server accepts (413): lower --batch-size (now ${ctx.batchSize})${said ? ` (server said${said})` : ''}`;
    default:
      if (status >= 300 && status < 400) {
        return `the server redirected (${answered})${said}; point --base-url at the final address`;
      }
      return `the server answered ${answered}${said}`;
  }
}
