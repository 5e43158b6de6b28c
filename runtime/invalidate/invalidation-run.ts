import type { CacheAccess, StoredCopy } from '../render/cache-access.js';
import type { RegenerationOutcome } from '../render/regeneration.js';
import { errorMessage } from '../utils/logger.js';
import { mapBounded } from '../utils/map-bounded.js';
import type { InvalidateRequest } from './invalidate-body.js';

/** Body of a `200` answer of the invalidate endpoint. */
export interface InvalidateResult {
  /** URLs (and keys found through tags) whose page was regenerated and stored. */
  invalidated: string[];
  /** URLs with no cached page (nothing to do). */
  notInCache: string[];
  /** URL → reason, for pages that could not be regenerated (the last good page stays). */
  failed: Record<string, string>;
  /** Pages that are gone (404/410, a redirect, no longer cacheable): deleted from the cache. */
  removed: string[];
  /** Pages beyond the per-request regeneration limit (or still rendered by a peer): marked stale, regenerated on their next request. */
  stale: string[];
  /** CDN purgers that purged the pages (only with the `cdn.purgers` option). */
  purged?: string[];
  /** CDN purger → reason it failed (the pages were still invalidated here). */
  purgeFailed?: Record<string, string>;
}

/** What a run needs from the handler. */
export interface InvalidationDeps {
  access: CacheAccess;
  /** Regenerations run at once, and most regenerated per request (the rest are marked stale). */
  limits: { concurrency: number; maxRegenerations: number };
  regenerate(key: string): Promise<RegenerationOutcome>;
  /** True while a render of the key runs (in this process, or a peer's holding the fleet lock). */
  isRendering(key: string): Promise<boolean>;
  /** Settles once the renders running now have settled. */
  settleRunning(): Promise<void>;
  cacheError(operation: 'get' | 'keysByTag' | 'set', error: unknown): void;
  /** With the `variants` option: every key of a page (the plain key first, then each variant's). */
  variantKeys?(key: string): string[];
}

/**
 * The keys a URL names with their labels in the answer: the page key (labelled with the URL as
 * sent) and, with variants, each variant key (labelled `url#name=value`).
 */
function keysNamed(url: string, key: string, deps: InvalidationDeps): Array<[key: string, label: string]> {
  const keys = deps.variantKeys?.(key) ?? [key];
  return keys.map((variantKey) => [variantKey, variantKey === key ? url : url + variantKey.slice(key.length)]);
}

/** One page key named by the request: who named it, and its stored copies (every build's). */
interface Target {
  key: string;
  labels: string[];
  copies: StoredCopy[];
  /** This build has a copy to replace, or is rendering the key now. */
  renderable: boolean;
}

/**
 * Invalidates the pages a request names: stamps the keys and tags first (renders running now
 * never store a fresh result), regenerates this build's pages up to the per-request limit, marks
 * the rest and other builds' copies stale, and deletes pages that are gone.
 */
export async function runInvalidation(request: InvalidateRequest, deps: InvalidationDeps): Promise<InvalidateResult> {
  const result: InvalidateResult = { invalidated: [], notInCache: [], failed: {}, removed: [], stale: [] };
  const { access } = deps;
  const urlKeys = request.urls.flatMap(({ key }) => (key === undefined ? [] : (deps.variantKeys?.(key) ?? [key])));
  access.clock.invalidate(urlKeys, request.tags);

  // Key → target; a key named twice (two URL spellings, URL and tag) is handled once.
  const targets = new Map<string, Target>();
  const add = (key: string, label: string | undefined, copies: StoredCopy[], rendering = false): void => {
    let target = targets.get(key);
    if (!target) {
      targets.set(key, (target = { key, labels: [], copies: [], renderable: false }));
    }
    target.renderable ||= rendering;
    if (label !== undefined) target.labels.push(label);
    for (const copy of copies) {
      if (!target.copies.some((known) => known.storageKey === copy.storageKey)) target.copies.push(copy);
      target.renderable ||= copy.servable;
    }
  };
  for (const { url, key } of request.urls) {
    if (key === undefined) {
      result.notInCache.push(url);
      continue;
    }
    try {
      // A URL is in the cache when any of its variants is; variants not in it are not listed.
      let found = false;
      for (const [variantKey, label] of keysNamed(url, key, deps)) {
        const copies = await access.copiesOf(variantKey);
        const rendering = !copies.some((copy) => copy.servable) && !targets.has(variantKey) && (await deps.isRendering(variantKey));
        if (copies.length > 0 || rendering || targets.has(variantKey)) {
          add(variantKey, label, copies, rendering);
          found = true;
        }
      }
      if (!found) {
        result.notInCache.push(url);
      }
    } catch (error) {
      deps.cacheError('get', error);
      result.failed[url] = `cache unavailable: ${errorMessage(error)}`;
    }
  }
  if (request.tags.length > 0) {
    // A first render running now may store a page with one of the tags (marked stale): wait, then find it.
    await deps.settleRunning();
  }
  for (const tag of request.tags) {
    try {
      for (const stored of await access.cache.keysByTag(tag)) {
        const copy = access.copy(stored);
        add(copy.key, targets.has(copy.key) ? undefined : copy.key, [copy]);
      }
    } catch (error) {
      deps.cacheError('keysByTag', error);
      result.failed[`tag:${tag}`] = `cache unavailable: ${errorMessage(error)}`;
    }
  }

  const all = [...targets.values()];
  const toRender = all.filter((target) => target.renderable).slice(0, deps.limits.maxRegenerations);
  const outcomes = await mapBounded(toRender, deps.limits.concurrency, (target) => regenerateOne(target, deps));
  const rendered = new Map(toRender.map((target, index) => [target, outcomes[index]]));
  // Marked stale: every copy of targets beyond the limit, and other builds' copies of the rest.
  const markOutcomes = await mapBounded(all, deps.limits.concurrency, (target) => markCopiesStale(target, rendered.has(target), deps));
  all.forEach((target, index) => {
    const outcome = rendered.get(target) ?? markOutcomes[index];
    for (const label of target.labels) {
      if (outcome.kind === 'failed') {
        result.failed[label] = outcome.reason;
      } else {
        result[outcome.kind].push(label);
      }
    }
  });
  return result;
}

type TargetOutcome = { kind: 'invalidated' | 'removed' | 'stale' } | { kind: 'failed'; reason: string };

async function regenerateOne(target: Target, deps: InvalidationDeps): Promise<TargetOutcome> {
  try {
    const outcome = await deps.regenerate(target.key);
    if (outcome.removed !== undefined) return { kind: 'removed' };
    if (outcome.markedStale !== undefined) return { kind: 'stale' };
    return outcome.entry ? { kind: 'invalidated' } : { kind: 'failed', reason: outcome.notStored ?? 'not stored' };
  } catch (error) {
    return { kind: 'failed', reason: errorMessage(error) };
  }
}

/** Marks the target's copies stale: all of them when it was not rendered, else those of other builds. */
async function markCopiesStale(target: Target, rendered: boolean, deps: InvalidationDeps): Promise<TargetOutcome> {
  try {
    for (const copy of target.copies) {
      if (!rendered || !copy.current) await deps.access.markStale(copy.storageKey);
    }
    return { kind: 'stale' };
  } catch (error) {
    deps.cacheError('set', error);
    return { kind: 'failed', reason: `cache unavailable: ${errorMessage(error)}` };
  }
}
