import type { CdnPurge } from '../cdn/cdn-purge.js';
import type { ISREmit } from '../render/isr-events.js';
import type { InvalidateResult } from './invalidation-run.js';

/**
 * What follows every invalidation (endpoint or server code): counts the answer's lists for the
 * metrics, and purges the CDN of what was invalidated. Resolves with the purge's additions to the answer.
 */
export async function afterInvalidate(
  result: InvalidateResult,
  tags: readonly string[],
  emit: ISREmit,
  purge: CdnPurge | undefined,
): Promise<Partial<InvalidateResult> | undefined> {
  const counts: Record<string, number> = { failed: Object.keys(result.failed).length };
  for (const [list, value] of Object.entries(result)) {
    if (Array.isArray(value)) {
      counts[list] = value.length;
    }
  }
  emit({ type: 'invalidation', counts });
  if (purge === undefined) {
    return undefined;
  }
  // Every page that is now fresh, gone or absent here may still sit at the CDN; failed ones kept their old page.
  const urls = Object.entries(result).flatMap(([list, value]) => (Array.isArray(value) && list !== 'purged' ? (value as string[]) : []));
  return purge.purge(urls, tags);
}
