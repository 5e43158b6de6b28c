/**
 * One-line, human reasons for requests that got no (complete) HTTP answer, and `clean` for any
 * server-provided text shown to the user. Shared by the builders.
 */

/** Collapses whitespace to one line, cuts long text, and masks a secret should a server echo it. */
export function clean(text: string, secret: string, max = 200): string {
  let line = text.replace(/\s+/g, ' ').trim();
  if (secret) line = line.split(secret).join('***');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What the network reasons name: the URL that was requested and the timeout in force. */
export interface NetworkContext {
  endpoint: URL;
  timeoutMs: number;
}

/** Error codes of Node's socket/DNS layer and undici, mapped to words. */
const NETWORK_CODES: Record<string, (host: string) => string> = {
  ECONNREFUSED: (host) => `connection refused by ${host}: is the server running?`,
  ENOTFOUND: (host) => `host name not found (DNS): ${host}`,
  EAI_AGAIN: (host) => `host name could not be resolved right now (DNS): ${host}`,
  ECONNRESET: (host) => `the connection to ${host} was reset before an answer arrived`,
  EPIPE: (host) => `the connection to ${host} was closed while sending`,
  UND_ERR_SOCKET: (host) => `${host} closed the connection before answering`,
  EHOSTUNREACH: (host) => `${host} is unreachable (no route to host)`,
  ENETUNREACH: (host) => `the network to ${host} is unreachable`,
  ETIMEDOUT: (host) => `connecting to ${host} timed out`,
  UND_ERR_CONNECT_TIMEOUT: (host) => `connecting to ${host} timed out`,
  UND_ERR_HEADERS_TIMEOUT: (host) => `${host} accepted the connection but sent no answer`,
  UND_ERR_BODY_TIMEOUT: (host) => `${host} stopped sending its answer`,
  CERT_HAS_EXPIRED: (host) => `the TLS certificate of ${host} has expired`,
  DEPTH_ZERO_SELF_SIGNED_CERT: (host) => `the TLS certificate of ${host} is self-signed and not trusted`,
  SELF_SIGNED_CERT_IN_CHAIN: (host) => `the TLS certificate chain of ${host} is not trusted`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (host) => `the TLS certificate of ${host} cannot be verified`,
  ERR_TLS_CERT_ALTNAME_INVALID: (host) => `the TLS certificate does not match ${host}`,
  EPROTO: (host) => `TLS handshake with ${host} failed (is it really https?)`,
};

/** Walks `error.cause` links to find a Node/undici error code. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Reason for a request that got no (complete) HTTP answer: timeout, DNS, connection, TLS. */
export function networkFailureReason(error: unknown, ctx: NetworkContext): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') {
    return `no answer from ${ctx.endpoint.host} within ${ctx.timeoutMs} ms (timeout; raise --timeout-ms if the server is slow)`;
  }
  const code = errorCode(error);
  const describe = code ? NETWORK_CODES[code] : undefined;
  if (describe) return describe(ctx.endpoint.host);
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause?.message;
  if (cause === 'bad port') {
    // fetch refuses the ports of other protocols (SMTP, IRC, …) before connecting.
    return `fetch never connects to port ${ctx.endpoint.port} (a blocked "bad port"); serve the app on another port`;
  }
  const message = typeof cause === 'string' ? cause : error instanceof Error ? error.message : String(error);
  return `request to ${ctx.endpoint.host} failed: ${message}${code ? ` (${code})` : ''}`;
}
