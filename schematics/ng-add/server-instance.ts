import { InsertChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { declaredNames, referencedIdentifiers } from '../utils/ast-search';
import { lineEnd, lineIndentAt, quoted } from '../utils/code-style';
import { isStaticMiddleware } from './express-server';
import { ISR_HANDLER, ServerPlanContext, StepPlan, comment, usesBlockComments } from './server-plan';

/**
 * Plans `const isr = new ISRHandler({ … })` for the file's engine (the CommonEngine's render inputs
 * passed on), after the last declaration it reads, in the innermost block that declares one.
 * Nothing when the file has an instance already.
 */
export function planIsrInstance(context: ServerPlanContext): StepPlan {
  if (context.existingInstance || !context.renderCatchAll) return { changes: [] };
  const { tsModule, sourceFile, style, isrName, options, anchor } = context;
  const render = context.renderCatchAll.render;
  const entries: [string, string][] = [];
  const needed = [render.engineName];
  if (render.kind === 'app-engine') {
    entries.push(['angularAppEngine', render.engineName]);
  } else {
    const renderOptions = render.renderOptions!;
    entries.push(['commonEngine', render.engineName]);
    for (const [key, value] of [
      ['bootstrap', renderOptions.bootstrap],
      ['indexHtml', renderOptions.documentFilePath],
      ['browserDistFolder', renderOptions.publicPath],
    ] as const) {
      entries.push([key, value.getText(sourceFile)]);
      needed.push(...referencedIdentifiers(tsModule, value));
    }
  }

  // Put the instance after the last declaration it reads, in the innermost block that declares one.
  let container: ts.Block | ts.SourceFile | undefined;
  let afterIndex = -1;
  for (const name of needed) {
    const found = findDeclaration(tsModule, anchor, name);
    if (!found) return `\`${name}\` (used by the engine call) is not declared in a scope around the catch-all handler`;
    if (!container || depth(found.container) > depth(container)) {
      container = found.container;
      afterIndex = found.index;
    } else if (found.container === container) {
      afterIndex = Math.max(afterIndex, found.index);
    }
  }
  const after = container!.statements[afterIndex]!;
  if (tsModule.isImportDeclaration(after)) {
    return 'every input of the engine call is imported; there is no engine variable to create ISRHandler after';
  }
  // The instance must exist before the routes that use it.
  if (container === context.siblings && afterIndex >= firstRouteIndex(context)) {
    return 'the engine or its inputs are declared after the middleware that would use ISR';
  }
  const blockComments = usesBlockComments(tsModule, sourceFile, container!.statements);
  const indent = lineIndentAt(sourceFile.text, after.getStart(sourceFile));
  const lines = [
    ...comment(blockComments, 'Incremental Static Regeneration: caches pages whose route sets `data: { revalidate }`.'),
    `const ${isrName} = new ${ISR_HANDLER}({`,
    ...entries.map(([key, value]) => `${style.indentUnit}${key === value ? key : `${key}: ${value}`},`),
    `${style.indentUnit}// Token for POST ${options.invalidatePath}; on-demand invalidation stays off while it is unset.`,
    `${style.indentUnit}invalidateSecretToken: process.env[${quoted(style, options.tokenEnv)}]${style.trailingComma}`,
    `})${style.semicolon}`,
  ];
  const block = lines.map((line) => indent + line).join(style.newline);
  return {
    changes: [new InsertChange(sourceFile.fileName, lineEnd(sourceFile.text, after.getEnd()), style.newline + style.newline + block)],
  };
}

/** Index of the first route statement (static middleware or the catch-all) in the catch-all's block. */
function firstRouteIndex({ tsModule, server, siblings, anchorIndex }: ServerPlanContext): number {
  const staticCall = server.appCalls.find((call) => call.statement.parent === siblings && isStaticMiddleware(tsModule, server, call));
  const staticIndex = staticCall ? siblings.statements.indexOf(staticCall.statement) : anchorIndex;
  return Math.min(staticIndex, anchorIndex);
}

function findDeclaration(
  tsModule: typeof ts,
  from: ts.Node,
  name: string,
): { container: ts.Block | ts.SourceFile; index: number } | undefined {
  for (let node: ts.Node | undefined = from.parent; node; node = node.parent) {
    if (!tsModule.isBlock(node) && !tsModule.isSourceFile(node)) continue;
    const index = node.statements.findIndex((statement) => declaredNames(tsModule, statement).includes(name));
    if (index >= 0) return { container: node, index };
  }
  return undefined;
}

function depth(node: ts.Node): number {
  let count = 0;
  for (let current = node.parent; current; current = current.parent) count++;
  return count;
}
