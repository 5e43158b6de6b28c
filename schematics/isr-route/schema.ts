/** Options of `ng generate ng-isr:isr-route` (mirrors schema.json). */
export interface Schema {
  /** Route path, e.g. `blog/:slug`; a leading `/` is dropped and `/` means the home page. */
  path: string;
  /** Seconds before a cached page is regenerated; `0` = only on demand (required; checked in code). */
  revalidate?: number;
  /** Name of the standalone component to generate (default: derived from the path). */
  component?: string;
  /** File (optionally `#ClassName`) of an existing component to route to instead. */
  existingComponent?: string;
  /** `loadComponent` instead of `component`. */
  lazy?: boolean;
  /** Stored as `data.isrTags` for tag invalidation. */
  tags?: string[];
  /** The application project (default: the CLI's current project). */
  project?: string;
  /** The routes file, relative to the workspace root. */
  routesFile?: string;
  /** Leave `app.routes.server.ts` alone. */
  skipServerRoute?: boolean;
}
