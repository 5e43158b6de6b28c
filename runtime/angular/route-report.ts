import type { ISRRenderReport } from './isr-render-context.js';

/** The part of Angular's `ActivatedRouteSnapshot` the report needs (kept structural: no Angular import). */
export interface RouteSnapshotLike {
  data?: { [key: string]: unknown } | null;
  firstChild: RouteSnapshotLike | null;
}

/**
 * Writes `revalidate` and `isrTags` of the deepest activated route into `report`; a route
 * without a value inherits its nearest parent's. Invalid values (negative, non-number
 * `revalidate`; non-string tags) count as absent, so a typo never caches a page by accident.
 */
export function reportRoute(report: ISRRenderReport, root: RouteSnapshotLike): void {
  let revalidate: unknown;
  let tags: unknown;
  for (let route: RouteSnapshotLike | null = root; route; route = route.firstChild) {
    const data = route.data ?? {};
    if (data['revalidate'] !== undefined) {
      revalidate = data['revalidate'];
    }
    if (data['isrTags'] !== undefined) {
      tags = data['isrTags'];
    }
  }
  report.revalidate = typeof revalidate === 'number' && Number.isFinite(revalidate) && revalidate >= 0 ? revalidate : undefined;
  report.tags = Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string' && tag !== '') : [];
}
