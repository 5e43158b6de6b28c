import type * as ts from 'typescript';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { applyChangesToText } from '../utils/changes';
import { addNamedImport } from '../utils/import-edits';
import type { EngineKind } from './express-server';
import { planCatchAll, pruneUnusedImports } from './server-catch-all';
import { planIsrInstance } from './server-instance';
import { addFastPath } from './server-fast-path';
import { addGracefulShutdown } from './server-shutdown';
import { planCacheMiddleware, planInvalidateRoute } from './server-middleware';
import { ISR_HANDLER, ManualHint, ServerFileOptions, ServerPlanContext, StepPlan, readServerPlanContext } from './server-plan';

export type { ManualHint, ServerFileOptions } from './server-plan';

/** The outcome of rewriting server.ts: the new text (unchanged when already done) or why it was refused. */
export type ServerFileResult =
  | { ok: true; text: string; engine: EngineKind | undefined; messages: string[]; warnings: string[] }
  | ({ ok: false; reason: string } & ManualHint);

/**
 * Rewrites a server.ts so that pages go through ISR: imports ISRHandler, creates one instance for the
 * file's engine, adds the invalidation route and the cache middleware, and routes the catch-all
 * handler through `isr.handle`. Each planner checks first whether its part was done already, so a
 * second run returns the text unchanged. Pure: the caller decides whether to write.
 */
export function rewriteServerFile(tsModule: typeof ts, fileName: string, text: string, options: ServerFileOptions): ServerFileResult {
  const context = readServerPlanContext(tsModule, fileName, text, options);
  if ('reason' in context) return { ok: false, ...context };
  const planners = [planImport, planIsrInstance, planInvalidateRoute, planCacheMiddleware, planCatchAll];
  const plans: Exclude<StepPlan, string>[] = [];
  for (const planner of planners) {
    const plan = planner(context);
    if (typeof plan === 'string') {
      return { ok: false, reason: plan, engine: context.engine, appName: context.appName, engineName: soleEngineName(context) };
    }
    plans.push(plan);
  }
  const { engine } = context;
  const messages = plans.flatMap((plan) => plan.messages ?? []);
  const changes = plans.flatMap((plan) => plan.changes);
  let wired = text;
  if (changes.length > 0) {
    // Imports only the replaced engine call used (writeResponseToNodeResponse, APP_BASE_HREF) go too.
    const replaced = plans.flatMap((plan) => plan.removedReferences ?? []);
    wired = pruneUnusedImports(tsModule, fileName, applyChangesToText(fileName, text, changes), replaced);
  }
  // A second pass, on the wired file: the graceful shutdown needs the ISRHandler declared to find its scope.
  const shutdown = addGracefulShutdown(tsModule, fileName, wired, options);
  // A third: the fast path wraps the app where the server listens (after the shutdown found that call).
  const fastPath = addFastPath(tsModule, fileName, shutdown.text, options);
  const allMessages = [...messages, ...shutdown.messages, ...fastPath.messages];
  return { ok: true, text: fastPath.text, engine, messages: allMessages, warnings: shutdown.warnings };
}

/** Plans `import { ISRHandler } from 'ng-isr'` (nothing when it is imported). */
function planImport({ tsModule, sourceFile, style }: ServerPlanContext): StepPlan {
  const change = addNamedImport(tsModule, sourceFile, style, NG_ISR_PACKAGE, ISR_HANDLER);
  return { changes: change ? [change] : [] };
}

function soleEngineName({ server }: ServerPlanContext): string | undefined {
  const engines = [...server.engines.keys()];
  return engines.length === 1 ? engines[0] : undefined;
}

/** The lines a user adds by hand when the file's shape is not one ng add recognises (in its own names). */
export function manualServerLines(hint: ManualHint, options: ServerFileOptions): string {
  const app = hint.appName ?? 'app';
  const token = `process.env['${options.tokenEnv}']`;
  const appEngine = [
    `const isr = new ISRHandler({ angularAppEngine: ${hint.engineName ?? 'angularApp'}, invalidateSecretToken: ${token} });`,
  ];
  const commonEngine = [
    'const isr = new ISRHandler({',
    `  ${hint.engineName && hint.engineName !== 'commonEngine' ? `commonEngine: ${hint.engineName}` : 'commonEngine'}, bootstrap, indexHtml, browserDistFolder,`,
    `  invalidateSecretToken: ${token},`,
    '});',
  ];
  const instance =
    hint.engine === 'app-engine'
      ? appEngine
      : hint.engine === 'common-engine'
        ? commonEngine
        : ['// AngularNodeAppEngine:', ...appEngine, '// CommonEngine:', ...commonEngine];
  return [
    `import { ISRHandler } from '${NG_ISR_PACKAGE}';`,
    '',
    '// after the engine is created:',
    ...instance,
    '',
    '// before express.static(...):',
    `${app}.post('${options.invalidatePath}', express.json(), isr.invalidate, isr.invalidateBodyErrors);`,
    `${app}.use((req, res, next) => isr.serveFromCache(req, res, next));`,
    '',
    '// as the catch-all page handler (in place of the engine call):',
    `${app}.use((req, res, next) => isr.handle(req, res, next));`,
  ].join('\n');
}
