import type { Change } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { getObjectProperty, isIdentifierNamed, isMethodCall, nameText, propertyValue } from '../../utils/ast-search';
import { replaceRange } from '../../utils/changes';
import { CodeStyle, lineIndentAt, quoted } from '../../utils/code-style';
import { AppCall, ExpressServer, isCatchAll, isGlobalJsonParser, referencesMember } from '../express-server';
import { commentedOut, removeStatementLines } from './foreign-imports';

/** What the old handler's routes become: the changes, the invalidate path they used and what to log. */
export interface RoutesPlan {
  changes: Change[];
  invalidatePath: string | undefined;
  info: string[];
  warnings: string[];
}

/** One handler argument that only forwards to `<isr>.<member>(req, res, next[, config])`. */
interface IsrHandlerArgument {
  member: string;
  params: string[];
  config: ts.ObjectLiteralExpression | undefined;
}

/**
 * Plans the rewrite of the old library's routes: the invalidate route (removed: ng-isr's own is added
 * in front of express.static by the fresh `ng add` planners), the global `express.json()` (removed
 * unless other routes read a parsed body), and the catch-all (`serveFromCache` + `render` in one or
 * two registrations, arrows or bound methods) routed through `isr.handle`.
 */
export function planIsrRoutes(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  server: ExpressServer,
  isrName: string,
): RoutesPlan | string {
  const plan: RoutesPlan = { changes: [], invalidatePath: undefined, info: [], warnings: [] };
  const uses = (call: AppCall, member: string) => referencesMember(tsModule, call.call, isrName, member);
  const path = sourceFile.fileName.replace(/^\//, '');

  const invalidate = server.appCalls.filter((call) => uses(call, 'invalidate'));
  for (const call of invalidate) {
    const handlers = call.call.arguments.slice(1).filter((argument) => !isMethodCall(tsModule, argument, 'json'));
    const parsed = handlers.map((argument) => readIsrHandler(tsModule, argument, isrName));
    if (call.method !== 'post' || call.path === undefined || parsed.length !== 1 || parsed[0]?.member !== 'invalidate') {
      return `the route that calls ${isrName}.invalidate is not \`post('<path>', (req, res) => ${isrName}.invalidate(req, res))\``;
    }
    plan.invalidatePath = call.path;
  }
  const removed: ts.Statement[] = invalidate.map((call) => call.statement);

  const jsonParsers = server.appCalls.filter((call) => isGlobalJsonParser(tsModule, server, call));
  if (jsonParsers.length > 0 && invalidate.length > 0) {
    const others = sourceFile.text
      .split(/\r?\n/)
      .filter((_, line) => ![...invalidate, ...jsonParsers].some((call) => coversLine(sourceFile, call.statement, line)))
      .join('\n');
    const needsBody =
      /\.body\b/.test(others) ||
      new RegExp(`\\b(${server.appNames.join('|')})\\.(post|put|patch|delete)\\s*\\(`).test(others) ||
      /\bRouter\s*\(/.test(others);
    if (needsBody) {
      plan.warnings.push(
        `${path}: app.use(express.json()) stays because other routes read a parsed body; it also parses ` +
          `the invalidate route's body, so a malformed body there is answered by your error handling (Express 5 ` +
          `prints the body, token included, to stderr): scope it to the routes that need it (docs/security.md).`,
      );
    } else {
      removed.push(...jsonParsers.map((call) => call.statement));
      plan.info.push(`${path}: removed the global app.use(express.json()); only the invalidate route parses JSON now (docs/security.md).`);
    }
  }

  const rendering = server.appCalls.filter((call) => uses(call, 'render'));
  const serving = server.appCalls.filter((call) => uses(call, 'serveFromCache') && !rendering.includes(call));
  if (rendering.length !== 1) return `${rendering.length} routes call ${isrName}.render, expected one catch-all`;
  const catchAll = rendering[0]!;
  if (!isCatchAll(catchAll)) return `the route that calls ${isrName}.render is registered for '${catchAll.path}', not for every path`;
  const todos: string[] = [];
  let params = ['req', 'res', 'next'];
  for (const call of [...serving, catchAll]) {
    if (call !== catchAll && !isCatchAll(call)) return `the route that calls ${isrName}.serveFromCache is not a catch-all`;
    const first = call.call.arguments[0];
    const handlers = call.call.arguments.slice(first && tsModule.isStringLiteralLike(first) ? 1 : 0);
    for (const argument of handlers) {
      const handler = readIsrHandler(tsModule, argument, isrName);
      if (!handler || !['serveFromCache', 'render'].includes(handler.member)) {
        return `the catch-all passes \`${argument.getText(sourceFile).split('\n')[0]}\`, not only ${isrName}.serveFromCache and ${isrName}.render`;
      }
      if (handler.member === 'render' && handler.params.length === 3) params = handler.params;
      const problem = configTodos(tsModule, sourceFile, handler, todos);
      if (problem) return problem;
    }
    if (call !== catchAll) removed.push(call.statement);
  }
  plan.changes.push(...removeAdjacentStatements(sourceFile, removed));
  plan.changes.push(catchAllChange(tsModule, sourceFile, style, catchAll, isrName, params, todos));
  return plan;
}

/** `(req, res, next) => isr.m(req, res, next)` (async, awaited, returned, in a block), `isr.m.bind(isr)` or `isr.m`. */
function readIsrHandler(tsModule: typeof ts, argument: ts.Expression, isrName: string): IsrHandlerArgument | undefined {
  let expression = argument;
  if (
    isMethodCall(tsModule, expression, 'bind') &&
    expression.arguments.length === 1 &&
    isIdentifierNamed(tsModule, expression.arguments[0]!, isrName)
  ) {
    expression = expression.expression.expression;
  }
  if (tsModule.isPropertyAccessExpression(expression) && isIdentifierNamed(tsModule, expression.expression, isrName)) {
    return { member: expression.name.text, params: [], config: undefined };
  }
  if (!tsModule.isArrowFunction(expression) && !tsModule.isFunctionExpression(expression)) return undefined;
  const params = expression.parameters.map((p) => (tsModule.isIdentifier(p.name) ? p.name.text : ''));
  let body: ts.Node = expression.body;
  if (tsModule.isBlock(body)) {
    if (body.statements.length !== 1) return undefined;
    const only = body.statements[0]!;
    body =
      tsModule.isReturnStatement(only) && only.expression ? only.expression : tsModule.isExpressionStatement(only) ? only.expression : only;
  }
  while (tsModule.isAwaitExpression(body) || tsModule.isParenthesizedExpression(body)) body = body.expression;
  if (!tsModule.isCallExpression(body) || !tsModule.isPropertyAccessExpression(body.expression)) return undefined;
  if (!isIdentifierNamed(tsModule, body.expression.expression, isrName)) return undefined;
  const [req, res, next, config, ...rest] = body.arguments;
  const passed = [req, res, next].filter((a): a is ts.Expression => !!a).map((a) => (tsModule.isIdentifier(a) ? a.text : '?'));
  if (rest.length > 0 || passed.some((name, index) => name !== params[index])) return undefined;
  if (config && !tsModule.isObjectLiteralExpression(config)) return undefined;
  return { member: body.expression.name.text, params, config: config as ts.ObjectLiteralExpression | undefined };
}

/** The per-call config: `providers` of APP_BASE_HREF only are dropped (ng-isr sets it); the rest becomes a TODO. */
function configTodos(tsModule: typeof ts, sourceFile: ts.SourceFile, handler: IsrHandlerArgument, todos: string[]): string | undefined {
  for (const property of handler.config?.properties ?? []) {
    const name = nameText(tsModule, property.name);
    if (name === 'providers') {
      const providers = getObjectProperty(tsModule, handler.config!, 'providers');
      const value = providers && propertyValue(tsModule, providers);
      const baseHrefOnly =
        !!value &&
        tsModule.isArrayLiteralExpression(value) &&
        value.elements.every((element) => /provide\s*:\s*APP_BASE_HREF\b/.test(element.getText(sourceFile)));
      if (baseHrefOnly) continue;
      todos.push(
        `providers of ${handler.member}(): ng-isr renders without per-call providers; provide them in the server config instead, see docs/migrating.md|${property.getText(sourceFile)}`,
      );
    } else if (name === 'modifyCachedHtml' || name === 'modifyGeneratedHtml') {
      todos.push(
        `${name} of ${handler.member}(): ng-isr takes it as the ISRHandler option ${name}, (html, context) => string, for every answer; move it there, see docs/migrating.md|${property.getText(sourceFile)}`,
      );
    } else {
      return `${handler.member}(req, res, next, {...}) sets \`${name ?? property.getText(sourceFile)}\`, which ng add cannot map`;
    }
  }
  return undefined;
}

/** The catch-all a fresh `ng add` writes, in place of the old one (config it cannot map kept above it as TODOs). */
function catchAllChange(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  call: AppCall,
  isrName: string,
  [req, res, next]: string[],
  todos: readonly string[],
): Change {
  const statement = call.statement;
  const indent = lineIndentAt(sourceFile.text, statement.getStart(sourceFile));
  const first = call.call.arguments[0];
  const path = first && tsModule.isStringLiteralLike(first) ? `${quoted(style, first.text)}, ` : '';
  const app = call.call.expression.expression.getText(sourceFile);
  const lines = [
    ...todos.map((todo) => commentedOut(todo.split('|')[0]!, `${todo.split('|')[1]!},`, indent, style.newline).slice(indent.length)),
    `${app}.${call.method}(${path}(${req}, ${res}, ${next}) => {`,
    `${style.indentUnit}// Serve the page from the ISR cache, or render it with the engine and cache it.`,
    `${style.indentUnit}${isrName}.handle(${req}, ${res}, ${next})${style.semicolon}`,
    `})${style.semicolon}`,
  ];
  return replaceRange(
    sourceFile.fileName,
    sourceFile.text,
    statement.getStart(sourceFile),
    statement.getEnd(),
    lines.join(style.newline + indent),
  );
}

function coversLine(sourceFile: ts.SourceFile, node: ts.Node, line: number): boolean {
  const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
  const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line;
  return line >= start && line <= end;
}

/** Removes statements, neighbours of one block in one change (so that no double blank line is left). */
function removeAdjacentStatements(sourceFile: ts.SourceFile, statements: readonly ts.Statement[]): Change[] {
  const sorted = [...statements].sort((a, b) => a.pos - b.pos);
  const changes: Change[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const first = sorted[i]!;
    let last = first;
    const siblings = (first.parent as ts.Block | ts.SourceFile).statements;
    while (i + 1 < sorted.length && siblings[siblings.indexOf(last) + 1] === sorted[i + 1]) last = sorted[++i]!;
    changes.push(removeStatementLines(sourceFile, first, last));
  }
  return changes;
}
