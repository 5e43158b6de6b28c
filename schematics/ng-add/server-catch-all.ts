import type { Change } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { declaredNames, findDescendants, parseSource, referencedIdentifiers } from '../utils/ast-search';
import { applyChangesToText, replaceRange } from '../utils/changes';
import { lineEnd, lineIndentAt } from '../utils/code-style';
import { handlerParams } from './render-call';
import { ServerPlanContext, StepPlan } from './server-plan';

/**
 * Plans routing the catch-all through ISR: the engine call becomes `isr.handle(req, res, next)`
 * (awaited when it was), and a destructuring of `req` that only fed the engine call goes with it.
 * `removedReferences` are the names the replaced code read (their imports may become unused).
 */
export function planCatchAll(context: ServerPlanContext): StepPlan {
  const catchAll = context.renderCatchAll;
  if (!catchAll) return { changes: [] };
  const { tsModule, sourceFile, style, isrName } = context;
  const text = sourceFile.text;
  const path = sourceFile.fileName;
  const handler = catchAll.call.handler!;
  const params = handlerParams(tsModule, handler)!;
  const call = `${catchAll.render.awaited ? 'await ' : ''}${isrName}.handle(${params.req}, ${params.res}, ${params.next})`;
  const node = catchAll.render.replaceNode;
  const start = node.getStart(sourceFile);
  const removedReferences = referencedIdentifiers(tsModule, node);
  if (!catchAll.render.isStatement || !tsModule.isBlock(handler.body)) {
    return { changes: [replaceRange(path, text, start, node.getEnd(), call)], removedReferences };
  }
  const indent = lineIndentAt(text, start);
  const changes = [
    replaceRange(
      path,
      text,
      start,
      node.getEnd(),
      `// Serve the page from the ISR cache, or render it with the engine and cache it.${style.newline}${indent}${call}${style.semicolon}`,
    ),
  ];
  // `const { protocol, originalUrl, baseUrl, headers } = req;` only fed the engine call: drop it with it.
  const statements = handler.body.statements;
  const replacedIndex = statements.indexOf(node as ts.Statement);
  statements.forEach((statement, index) => {
    if (statement === node || !tsModule.isVariableStatement(statement)) return;
    const names = declaredNames(tsModule, statement);
    const usedElsewhere = statements.some(
      (other) => other !== node && other !== statement && referencedIdentifiers(tsModule, other).some((n) => names.includes(n)),
    );
    const initializers = statement.declarationList.declarations.map((d) => d.initializer?.getText(sourceFile));
    if (usedElsewhere || !initializers.every((init) => init === params.req)) return;
    const from = text.lastIndexOf('\n', statement.getStart(sourceFile) - 1) + 1;
    const to =
      index === replacedIndex - 1 ? text.lastIndexOf('\n', start - 1) + 1 : Math.min(lineEnd(text, statement.getEnd()) + 1, text.length);
    changes.push(replaceRange(path, text, from, to, ''));
  });
  return { changes, removedReferences };
}

/** Removes named imports of `candidates` that the file no longer reads. */
export function pruneUnusedImports(tsModule: typeof ts, fileName: string, text: string, candidates: readonly string[]): string {
  const sourceFile = parseSource(tsModule, fileName, text);
  const counts = new Map<string, number>();
  for (const identifier of findDescendants(tsModule, sourceFile, tsModule.isIdentifier)) {
    counts.set(identifier.text, (counts.get(identifier.text) ?? 0) + 1);
  }
  const changes: Change[] = [];
  for (const statement of sourceFile.statements) {
    if (!tsModule.isImportDeclaration(statement) || statement.importClause?.name) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !tsModule.isNamedImports(bindings)) continue;
    const elements = bindings.elements;
    const unused = elements.filter(
      (element) => candidates.includes(element.name.text) && !element.propertyName && counts.get(element.name.text) === 1,
    );
    if (unused.length === 0) continue;
    if (unused.length === elements.length) {
      const from = text.lastIndexOf('\n', statement.getStart(sourceFile) - 1) + 1;
      changes.push(replaceRange(fileName, text, from, Math.min(lineEnd(text, statement.getEnd()) + 1, text.length), ''));
      continue;
    }
    for (const element of unused) {
      const index = elements.indexOf(element);
      const next = elements[index + 1];
      changes.push(
        next
          ? replaceRange(fileName, text, element.getStart(sourceFile), next.getStart(sourceFile), '')
          : replaceRange(fileName, text, elements[index - 1]!.getEnd(), element.getEnd(), ''),
      );
    }
  }
  return applyChangesToText(fileName, text, changes);
}
