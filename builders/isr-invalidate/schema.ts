/**
 * Options of the `isr-invalidate` builder, as declared in `schema.json`.
 * Kept by hand next to the schema: every property here must exist there and vice versa.
 */
export interface InvalidateBuilderOptions {
  /** Origin (and optional path prefix) of the running server: `http://…` or `https://…`. */
  baseUrl: string;
  /** Paths of the pages to invalidate. */
  urls?: string[];
  /** Tags to invalidate (pages whose route carries them in `data.isrTags`). */
  tags?: string[];
  /** File with one path per line, relative to the workspace root; blank lines and `#` comments ignored. */
  urlsFile?: string;
  /** Path of the invalidate endpoint. Default `/api/invalidate`. */
  path?: string;
  /** Name of the environment variable holding the token. Default `ISR_INVALIDATE_TOKEN`. */
  tokenEnv?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** Retries after network errors, timeouts and 5xx answers. */
  retries?: number;
  /** Most URLs + tags per request. */
  batchSize?: number;
  /** Print the requests instead of sending them. */
  dryRun?: boolean;
}
