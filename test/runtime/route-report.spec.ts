import type { ISRRenderReport } from '../../runtime/angular/isr-render-context.js';
import { reportRoute, type RouteSnapshotLike } from '../../runtime/angular/route-report.js';

/** A route chain root -> ... -> deepest, each level with its `data`. */
function chain(...levels: Array<Record<string, unknown> | null>): RouteSnapshotLike {
  return levels.reduceRight<RouteSnapshotLike | null>((child, data) => ({ data, firstChild: child }), null) as RouteSnapshotLike;
}

function report(root: RouteSnapshotLike): ISRRenderReport {
  const result: ISRRenderReport = {};
  reportRoute(result, root);
  return result;
}

describe('reportRoute (what provideISR reports after navigation)', () => {
  it('takes the deepest route value', () => {
    expect(report(chain({}, { revalidate: 60, isrTags: ['a'] }, { revalidate: 5, isrTags: ['b'] }))).toEqual({
      revalidate: 5,
      tags: ['b'],
    });
  });

  it('lets a child without a value inherit its parent', () => {
    expect(report(chain({}, { revalidate: 60, isrTags: ['posts'] }, {}, null))).toEqual({ revalidate: 60, tags: ['posts'] });
  });

  it('keeps revalidate 0 (on demand only)', () => {
    expect(report(chain({ revalidate: 0 }))).toEqual({ revalidate: 0, tags: [] });
  });

  it('reports no revalidate for routes without one', () => {
    expect(report(chain({}, { title: 'x' }))).toEqual({ revalidate: undefined, tags: [] });
  });

  it.each([[-1], ['60'], [Number.NaN], [Number.POSITIVE_INFINITY], [null], [true]])('treats revalidate %p as absent', (value) => {
    expect(report(chain({ revalidate: 30 }, { revalidate: value })).revalidate).toBeUndefined();
  });

  it('keeps only non-empty string tags', () => {
    expect(report(chain({ revalidate: 1, isrTags: ['a', '', 3, null, 'b'] })).tags).toEqual(['a', 'b']);
    expect(report(chain({ revalidate: 1, isrTags: 'a' })).tags).toEqual([]);
  });
});
