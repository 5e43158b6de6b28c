import { createBuilder, type BuilderContext, type BuilderOutput } from '@angular-devkit/architect';
import type { JsonObject } from '@angular-devkit/core';
import { planBatches, requestBody } from './batches';
import { normaliseOptions, readToken, type InvalidatePlan } from './options';
import { OptionsError } from '../utils/options-error';
import { formatProgress, formatPurge, formatStart, formatSummary, formatTagFailure, formatUrlResult } from './report';
import { batchResult, purgeFailures, succeeded, totalsOf, type BatchResult } from './results';
import type { InvalidateBuilderOptions } from './schema';
import { sendBatch } from './send-batch';
import { readUrlsFile } from '../utils/list-file';

/**
 * `ng run <app>:isr-invalidate`: asks a running ng-isr server to drop cached pages.
 * Succeeds only when every URL was invalidated or was not in the cache.
 */
export async function invalidate(options: InvalidateBuilderOptions, context: BuilderContext): Promise<BuilderOutput> {
  const { logger } = context;
  let plan: InvalidatePlan;
  let token: string;
  try {
    const fileUrls = options.urlsFile ? await readUrlsFile(options.urlsFile, context.workspaceRoot) : [];
    plan = normaliseOptions(options, fileUrls);
    token = readToken(process.env, plan.tokenEnv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    // The CLI prints `error` itself; logging it too would show it twice.
    return { success: false, error: error.message };
  }

  const batches = planBatches(plan.urls, plan.tags, plan.batchSize);
  if (plan.dryRun) {
    logger.info(`Dry run: would POST to ${plan.endpoint.href} with "Authorization: Bearer $${plan.tokenEnv}" (set):`);
    batches.forEach((batch, i) => logger.info(`  request ${i + 1}/${batches.length}: ${JSON.stringify(requestBody(batch))}`));
    logger.info('Nothing was sent.');
    return { success: true };
  }

  const started = performance.now();
  const total = plan.urls.length + plan.tags.length;
  logger.info(formatStart(plan.endpoint, plan.urls.length, plan.tags.length, batches.length));
  const results: BatchResult[] = [];
  let sent = 0;
  for (const [i, batch] of batches.entries()) {
    const outcome = await sendBatch(requestBody(batch), {
      endpoint: plan.endpoint,
      token,
      tokenEnv: plan.tokenEnv,
      batchSize: plan.batchSize,
      timeoutMs: plan.timeoutMs,
      retries: plan.retries,
      onRetry: (attempt, reason, delayMs) => logger.warn(`  attempt ${attempt} failed (${reason}); retrying in ${delayMs} ms`),
    });
    const result = batchResult(batch, outcome);
    results.push(result);
    for (const url of result.urls) {
      if (url.status === 'failed') logger.error(formatUrlResult(url));
      else logger.info(formatUrlResult(url));
    }
    for (const failure of result.tagFailures) logger.error(formatTagFailure(failure));
    if (result.purge) {
      const purge = formatPurge(result.purge);
      purge.info.forEach((line) => logger.info(line));
      purge.warn.forEach((line) => logger.warn(line));
    }
    sent += batch.urls.length + batch.tags.length;
    if (batches.length > 1) logger.info(formatProgress(i + 1, batches.length, sent, total));
  }

  const totals = totalsOf(results);
  const summary = formatSummary(totals, performance.now() - started, purgeFailures(results));
  if (succeeded(totals)) {
    logger.info(summary);
    return { success: true };
  }
  // The CLI prints `error` as the last line of the report.
  return { success: false, error: `Invalidation incomplete: ${summary}` };
}

export default createBuilder<InvalidateBuilderOptions & JsonObject>(invalidate);
