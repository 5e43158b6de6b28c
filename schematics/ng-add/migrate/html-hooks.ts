import type * as ts from 'typescript';
import { referencedIdentifiers } from '../../utils/ast-search';

/** The two HTML hooks both libraries name alike; ng-isr's take `(html, context)` instead of `(req, html, revalidateTime?)`. */
export const HTML_HOOKS = ['modifyCachedHtml', 'modifyGeneratedHtml'] as const;

/** Why a hook stays under a TODO when it cannot be rewritten (its function reads the visitor's request, or is not written inline). */
export const HTML_HOOK_TODO: Readonly<Record<(typeof HTML_HOOKS)[number], string>> = {
  modifyCachedHtml:
    "ng-isr's modifyCachedHtml is (html, { req, key, cacheStatus }) => string (synchronous); port this function by hand, see docs/migrating.md",
  modifyGeneratedHtml:
    "ng-isr's modifyGeneratedHtml is (html, { key, url, revalidate, tags, variants }) => string and runs on a shared render with no visitor request; port this function by hand, see docs/migrating.md",
};

/**
 * ng-isr's form of an `@rx-angular/isr` / `ngx-isr` HTML hook written inline, or `undefined` when
 * it has none: `(req, html) => …` becomes `(html) => …`, and `modifyGeneratedHtml`'s third
 * parameter becomes `{ revalidate: name }` of the context. Only when the function never reads
 * `req` (ng-isr's generated hook has no visitor request; its cached hook has `context.req`, a Node
 * request, not theirs) and, for `modifyCachedHtml`, is not async (ng-isr's runs synchronously on
 * every answer).
 */
export function mapHtmlHook(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  name: (typeof HTML_HOOKS)[number],
  value: ts.Expression,
): string | undefined {
  if (!tsModule.isArrowFunction(value) && !tsModule.isFunctionExpression(value)) return undefined;
  if (tsModule.isFunctionExpression(value) && (value.asteriskToken || value.name)) return undefined;
  const isAsync = value.modifiers?.some((modifier) => modifier.kind === tsModule.SyntaxKind.AsyncKeyword) ?? false;
  if (isAsync && name === 'modifyCachedHtml') return undefined;
  const [req, html, revalidate, ...rest] = value.parameters;
  const maxParameters = name === 'modifyGeneratedHtml' ? 3 : 2;
  if (!req || !html || rest.length > 0 || value.parameters.length > maxParameters) return undefined;
  const simple = [req, html, revalidate].every(
    (parameter) =>
      parameter === undefined || (tsModule.isIdentifier(parameter.name) && !parameter.dotDotDotToken && !parameter.initializer),
  );
  if (!simple || (html.type !== undefined && html.type.getText(sourceFile) !== 'string')) return undefined;
  const readsOf = new Set(referencedIdentifiers(tsModule, value.body));
  if (readsOf.has((req.name as ts.Identifier).text)) return undefined;
  const htmlName = (html.name as ts.Identifier).text;
  const revalidateName = revalidate && (revalidate.name as ts.Identifier).text;
  const parameters =
    revalidateName !== undefined && readsOf.has(revalidateName)
      ? `${htmlName}: string, { revalidate${revalidateName === 'revalidate' ? '' : `: ${revalidateName}`} }`
      : `${htmlName}: string`;
  const text = value.getText(sourceFile);
  const start = value.getStart(sourceFile);
  const open = text.indexOf('(', tsModule.isFunctionExpression(value) ? text.indexOf('function') : 0);
  const close = value.parameters.end - start;
  const after = text.indexOf(')', close);
  if (open === -1 || after === -1) return undefined;
  return `${text.slice(0, open + 1)}${parameters}${text.slice(after)}`;
}
