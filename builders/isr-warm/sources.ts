import { readOptionFile, readUrlsFile } from '../utils/list-file';
import { OptionsError } from '../utils/options-error';
import { normaliseUrlEntry, underBase } from '../utils/options';
import { WARM_ENTRIES, type WarmPlan } from './options';
import { readSitemaps, type SitemapSettings } from './read-sitemaps';
import { parseRoutesFile } from './routes-file';
import type { Skipped } from './targets';

/** The pages of one run, in order (explicit lists first, then the sitemap), each once. */
export interface WarmTargets {
  pages: URL[];
  skipped: Skipped[];
  sitemapFailures: Array<{ sitemap: string; reason: string }>;
  /** Set when `--max-urls` or a sitemap bound left pages out. */
  truncated: string | undefined;
}

/** The paths of `--urls-file` and `--routes-file`, checked, plus the parameterised routes to skip. */
export async function readListFiles(
  files: { urlsFile?: string; routesFile?: string },
  plan: WarmPlan,
  workspaceRoot: string,
): Promise<{ paths: string[]; skipped: Skipped[] }> {
  const paths: string[] = [];
  const skipped: Skipped[] = [];
  if (files.urlsFile) {
    const entries = await readUrlsFile(files.urlsFile, workspaceRoot, 'urls-file');
    paths.push(...entries.map((entry) => normaliseUrlEntry(entry, plan.origin, WARM_ENTRIES)));
  }
  if (files.routesFile) {
    const { path, text } = await readOptionFile(files.routesFile, workspaceRoot, 'routes-file');
    const routes = parseRoutesFile(text);
    if ('malformed' in routes) {
      throw new OptionsError(`--routes-file ${path} is not a route list: ${routes.malformed}.`);
    }
    paths.push(...routes.paths);
    skipped.push(
      ...routes.parameterised.map((route) => ({
        url: route,
        reason: 'a route with parameters names no single page; list its concrete paths in --routes-file or --urls-file',
      })),
    );
  }
  return { paths, skipped };
}

/**
 * Merges the explicit paths (already checked) with the pages of the sitemap, within
 * `plan.maxUrls`.
 */
export async function collectTargets(
  plan: WarmPlan,
  paths: readonly string[],
  settings: Omit<SitemapSettings, 'maxUrls' | 'origin' | 'publicOrigin' | 'timeoutMs' | 'retries'>,
): Promise<WarmTargets> {
  const seen = new Set<string>();
  const targets: WarmTargets = { pages: [], skipped: [], sitemapFailures: [], truncated: undefined };
  for (const path of paths) {
    const url = underBase(plan.base, path);
    if (seen.has(url.href)) continue;
    if (targets.pages.length >= plan.maxUrls) {
      targets.truncated = `more than ${plan.maxUrls} pages were given; warming the first ${plan.maxUrls} (raise --max-urls)`;
      return targets;
    }
    seen.add(url.href);
    targets.pages.push(url);
  }
  if (!plan.sitemap) return targets;
  const harvest = await readSitemaps(plan.sitemap, {
    ...settings,
    origin: plan.origin,
    publicOrigin: plan.publicOrigin,
    timeoutMs: plan.timeoutMs,
    retries: plan.retries,
    maxUrls: plan.maxUrls,
  });
  targets.skipped.push(...harvest.skipped);
  targets.sitemapFailures.push(...harvest.failures);
  targets.truncated = harvest.truncated;
  for (const page of harvest.pages) {
    if (seen.has(page.href)) continue;
    if (targets.pages.length >= plan.maxUrls) {
      targets.truncated = `the sitemaps list more than ${plan.maxUrls} pages; warming the first ${plan.maxUrls} (raise --max-urls)`;
      break;
    }
    seen.add(page.href);
    targets.pages.push(page);
  }
  return targets;
}
