/**
 * The `cacheStatuses` option: non-200 answers stored on request, per status, for a fixed number of
 * seconds. Only answers that are the same for every visitor and safe to repeat qualify: redirects
 * (with their `Location`) and "not found" / "gone". Never errors (5xx, 429), never by default.
 */

/** Statuses `cacheStatuses` accepts. */
export const CACHEABLE_STATUSES: readonly number[] = [301, 302, 303, 307, 308, 404, 410];

/** Logged at the first request when `cacheStatuses` is set with CommonEngine. */
export const COMMON_ENGINE_STATUS_WARNING =
  'cacheStatuses has no effect with commonEngine: CommonEngine reports no HTTP status (every page is a 200); use angularAppEngine to store 404s and redirects';

/** Checks the option; throws a `TypeError` naming a status it does not accept or a bad number of seconds. */
export function compileCacheStatuses(option: Readonly<Record<number, number>> | undefined): ReadonlyMap<number, number> {
  const statuses = new Map<number, number>();
  if (option === undefined) {
    return statuses;
  }
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new TypeError('ISRHandler: cacheStatuses must be an object of status → seconds, e.g. { 404: 60, 301: 3600 }.');
  }
  for (const [name, seconds] of Object.entries(option)) {
    const status = Number(name);
    if (!CACHEABLE_STATUSES.includes(status)) {
      throw new TypeError(`ISRHandler: cacheStatuses cannot store status ${name}; allowed: ${CACHEABLE_STATUSES.join(', ')}.`);
    }
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
      throw new TypeError(`ISRHandler: cacheStatuses[${status}] must be a positive number of seconds.`);
    }
    statuses.set(status, seconds);
  }
  return statuses;
}
