/**
 * Options of the `isr-warm` builder, as declared in `schema.json`.
 * Kept by hand next to the schema: every property here must exist there and vice versa.
 */
export interface WarmBuilderOptions {
  /** Origin (and optional path prefix) of the running server: `http://…` or `https://…`. */
  baseUrl: string;
  /** URL or path of the sitemap; default `<baseUrl>/sitemap.xml` when no other source is given. */
  sitemap?: string;
  /** Paths of pages to warm. */
  urls?: string[];
  /** File with one path per line, relative to the workspace root; blank lines and `#` comments ignored. */
  urlsFile?: string;
  /** The app's route list: text (one per line) or JSON (array, or `{ routes }`). */
  routesFile?: string;
  /** Origin the sitemap's URLs use when `baseUrl` is an internal address. */
  publicOrigin?: string;
  /** Pages requested at the same time. */
  concurrency?: number;
  /** Most pages per run. */
  maxUrls?: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** Retries after network errors, timeouts and 5xx answers. */
  retries?: number;
  /** Print the pages instead of requesting them. */
  dryRun?: boolean;
}
