import { createBuilder, type BuilderContext, type BuilderOutput } from '@angular-devkit/architect';
import type { JsonObject } from '@angular-devkit/core';
import { OptionsError } from '../utils/options-error';
import { normaliseWarmOptions, type WarmPlan } from './options';
import { runPool } from './pool';
import {
  addOutcome,
  emptyTotals,
  formatPageResult,
  formatSkipped,
  formatWarmStart,
  formatWarmSummary,
  MAX_SKIPPED_LINES,
  warmSucceeded,
} from './report';
import type { WarmBuilderOptions } from './schema';
import { collectTargets, readListFiles, type WarmTargets } from './sources';
import { display, type Skipped } from './targets';
import { warmPage } from './warm-page';

/**
 * `ng run <app>:isr-warm`: requests every page of a deployment's sitemap (or of the given lists)
 * once, a few at a time, so that the first visitors after a deploy find them cached.
 * Succeeds only when every page answered 2xx and every sitemap could be read.
 */
export async function warm(options: WarmBuilderOptions, context: BuilderContext): Promise<BuilderOutput> {
  const { logger } = context;
  const started = performance.now();
  let plan: WarmPlan;
  let paths: string[];
  const skipped: Skipped[] = [];
  try {
    plan = normaliseWarmOptions(options);
    const lists = await readListFiles(options, plan, context.workspaceRoot);
    paths = [...plan.urls, ...lists.paths];
    skipped.push(...lists.skipped);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    // The CLI prints `error` itself; logging it too would show it twice.
    return { success: false, error: error.message };
  }

  const onRetry = (what: string) => (attempt: number, reason: string, delayMs: number) =>
    logger.warn(`  attempt ${attempt} failed for ${what} (${reason}); retrying in ${delayMs} ms`);
  if (plan.sitemap) logger.info(`Reading the sitemap ${plan.sitemap.href}`);
  const targets: WarmTargets = await collectTargets(plan, paths, {
    onRetry: plan.sitemap ? onRetry(plan.sitemap.href) : undefined,
    onRead: (sitemap, document) =>
      logger.info(`  ${sitemap.href}: ${document.locs.length} ${document.kind === 'sitemapindex' ? 'sitemaps' : 'URLs'}`),
  });
  skipped.push(...targets.skipped);

  const totals = emptyTotals();
  totals.skipped = skipped.length;
  totals.sitemapFailures = targets.sitemapFailures.length;
  for (const failure of targets.sitemapFailures) logger.error(`  FAILED  sitemap ${failure.sitemap}: ${failure.reason}`);
  skipped.slice(0, MAX_SKIPPED_LINES).forEach((entry) => logger.warn(formatSkipped(entry)));
  if (skipped.length > MAX_SKIPPED_LINES) logger.warn(`  … and ${skipped.length - MAX_SKIPPED_LINES} more skipped`);
  if (targets.truncated) logger.warn(`Not every page is warmed: ${targets.truncated}.`);

  const pages = targets.pages;
  if (pages.length === 0) {
    const why =
      totals.sitemapFailures > 0 ? 'the sitemap could not be read' : `no page on ${plan.origin} was found in the sitemap or lists`;
    return { success: false, error: `Nothing to warm: ${why}.` };
  }
  if (plan.dryRun) {
    logger.info(`Dry run: would GET ${pages.length} URLs at ${plan.origin}, ${plan.concurrency} at a time:`);
    for (const page of pages) logger.info(`  ${display(page)}`);
    logger.info('No page was requested.');
    return totals.sitemapFailures > 0 ? { success: false, error: 'Dry run: the sitemap could not be read.' } : { success: true };
  }

  logger.info(formatWarmStart(pages.length, plan.base, plan.concurrency));
  let done = 0;
  await runPool(pages, plan.concurrency, async (page) => {
    const outcome = await warmPage(page, { timeoutMs: plan.timeoutMs, retries: plan.retries, onRetry: onRetry(display(page)) });
    done++;
    addOutcome(totals, outcome);
    const line = formatPageResult(done, pages.length, display(page), outcome);
    if (outcome.ok) logger.info(line);
    else logger.error(line);
  });

  const summary = formatWarmSummary(totals, performance.now() - started);
  if (totals.withoutHeader > 0) {
    logger.warn(
      `${totals.withoutHeader} of ${totals.answered} answers carried no x-isr-cache header: ` +
        'they did not come from ng-isr (a CDN, a proxy or a server without ISRHandler answered); warm the app server itself.',
    );
  }
  if (warmSucceeded(totals)) {
    logger.info(summary);
    return { success: true };
  }
  // The CLI prints `error` as the last line of the report.
  return { success: false, error: `Warming incomplete: ${summary}` };
}

export default createBuilder<WarmBuilderOptions & JsonObject>(warm);
