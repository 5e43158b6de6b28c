import { Change, InsertChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { findDescendants, isIdentifierNamed } from '../utils/ast-search';
import { applyChangesToText, replaceRange } from '../utils/changes';
import { lineIndentAt, quoted } from '../utils/code-style';
import { findNamedImport } from '../utils/import-edits';
import { ISR_HANDLER, ServerFileOptions, ServerPlanContext, readServerPlanContext, usesBlockComments } from './server-plan';
import { contains, enclosingBlock, findListenCalls, resolveApp } from './server-shutdown';
import { commentLines } from './shutdown-lines';

/** The method that wraps the app (`isr.fastPath(app)`). */
const FAST_PATH = 'fastPath';
const REQUEST_HANDLER_FACTORY = 'createNodeRequestHandler';

/** The server.ts text with the fast path, and what the log says about it. */
export interface FastPathResult {
  text: string;
  messages: string[];
}

/**
 * Third pass over a server.ts that routes through ISR: the server listens through
 * `isr.fastPath(app)` (`isr.fastPath(app).listen(...)` in place of `app.listen(...)`, the same
 * `http.Server`, so the graceful shutdown keeps working) and Angular's request handler wraps it
 * (`createNodeRequestHandler(isr.fastPath(app))`), so cached pages are answered before Express's
 * router runs. Nothing when the file uses `fastPath` already, or for a listen call or handler it
 * does not recognise (those keep working through the middleware).
 */
export function addFastPath(tsModule: typeof ts, fileName: string, text: string, options: ServerFileOptions): FastPathResult {
  const context = readServerPlanContext(tsModule, fileName, text, options);
  if ('reason' in context) return { text, messages: [] };
  const changes = planFastPath(context);
  if (changes.length === 0) return { text, messages: [] };
  const message =
    `${fileName}: cached pages are now answered before Express's router runs (isr.${FAST_PATH}(app)); ` +
    'every other request goes through the app as before.';
  return { text: applyChangesToText(fileName, text, changes), messages: [message] };
}

function planFastPath(context: ServerPlanContext): Change[] {
  const { tsModule, sourceFile, style, isrName } = context;
  const usesFastPath = findDescendants(
    tsModule,
    sourceFile,
    (node): node is ts.PropertyAccessExpression => tsModule.isPropertyAccessExpression(node) && node.name.text === FAST_PATH,
  );
  if (usesFastPath.length > 0) return [];
  const isrDeclaration = findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration).find((declaration) =>
    isIdentifierNamed(tsModule, declaration.name, isrName),
  );
  const isrBlock = isrDeclaration && enclosingBlock(tsModule, isrDeclaration);
  if (!isrDeclaration || !isrBlock) return [];
  const handlerClass = findNamedImport(tsModule, sourceFile, NG_ISR_PACKAGE, ISR_HANDLER) ?? ISR_HANDLER;
  const bridged = hasBridge(context);
  /** The ISRHandler as `at` can reach it, for an app built by `factory` (or by `express()` where `at` is). */
  const isrAt = (at: ts.Node, target: string, factory: ts.FunctionDeclaration | undefined): string | undefined => {
    if (contains(isrBlock, at)) return isrName;
    if (bridged && factory && contains(factory, isrDeclaration)) return `(${target}.locals[${quoted(style, isrName)}] as ${handlerClass})`;
    return undefined;
  };
  const changes: Change[] = [];
  const text = sourceFile.text;
  const wrap = (node: ts.Identifier, isr: string) =>
    changes.push(replaceRange(sourceFile.fileName, text, node.getStart(sourceFile), node.getEnd(), `${isr}.${FAST_PATH}(${node.text})`));

  const listens = findListenCalls(context);
  if (listens.length === 1) {
    const listen = listens[0]!;
    const isr = isrAt(listen.statement, listen.target, listen.factory);
    if (isr) {
      const parent = listen.statement.parent as ts.Block | ts.SourceFile;
      const lines = commentLines(usesBlockComments(tsModule, sourceFile, parent.statements), [
        "Cached pages are answered before Express's router runs; everything else goes to the app.",
      ]);
      const start = listen.statement.getStart(sourceFile);
      const indent = lineIndentAt(text, start);
      changes.push(new InsertChange(sourceFile.fileName, start, lines.join(style.newline + indent) + style.newline + indent));
      wrap(listen.call.expression.expression as ts.Identifier, isr);
    }
  }
  for (const call of requestHandlerCalls(context)) {
    const app = call.arguments[0] as ts.Identifier;
    const built = resolveApp(context, call, app.text);
    const isr = built && isrAt(call, app.text, built.factory);
    if (isr) wrap(app, isr);
  }
  return changes;
}

/** `createNodeRequestHandler(app)` calls whose one argument is a plain name. */
function requestHandlerCalls({ tsModule, sourceFile }: ServerPlanContext): ts.CallExpression[] {
  return findDescendants(
    tsModule,
    sourceFile,
    (node): node is ts.CallExpression =>
      tsModule.isCallExpression(node) &&
      isIdentifierNamed(tsModule, node.expression, REQUEST_HANDLER_FACTORY) &&
      node.arguments.length === 1 &&
      tsModule.isIdentifier(node.arguments[0]!),
  );
}

/** Whether the app factory hands the handler on (`server.locals['isr'] = isr`, written by the graceful shutdown). */
function hasBridge({ tsModule, sourceFile, isrName }: ServerPlanContext): boolean {
  return findDescendants(tsModule, sourceFile, tsModule.isBinaryExpression).some(
    (node) =>
      node.operatorToken.kind === tsModule.SyntaxKind.EqualsToken &&
      tsModule.isElementAccessExpression(node.left) &&
      tsModule.isStringLiteralLike(node.left.argumentExpression) &&
      node.left.argumentExpression.text === isrName &&
      isIdentifierNamed(tsModule, node.right, isrName),
  );
}
