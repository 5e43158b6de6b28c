/** Options of `ng add ng-isr` (mirrors schema.json). */
export interface NgAddOptions {
  /** The SSR application to set up. */
  project?: string;
  /** Keep build-time prerendering (prerendered pages bypass ISR). */
  keepPrerender: boolean;
  /** Environment variable holding the invalidation token. */
  tokenEnv: string;
  /** Path of the on-demand invalidation endpoint. */
  invalidatePath: string;
  /** Server the `isr-invalidate` target posts to (none stored when not given). */
  baseUrl?: string;
}
