import type * as ts from 'typescript';
import { findDescendants, isIdentifierNamed, isMethodCall, nameText } from '../utils/ast-search';

/** The two Angular SSR engines a generated server.ts renders with. */
export type EngineKind = 'app-engine' | 'common-engine';

const ENGINE_CLASSES: Readonly<Record<string, EngineKind>> = {
  AngularNodeAppEngine: 'app-engine',
  CommonEngine: 'common-engine',
};

/** Express methods that register middleware or route handlers on the app. */
const HANDLER_METHODS = ['use', 'get', 'all'];

/** A `<app>.<method>(...)` call written as its own statement. */
export interface AppCall {
  statement: ts.ExpressionStatement;
  call: ts.CallExpression & { expression: ts.PropertyAccessExpression };
  method: string;
  /** The route path when the first argument is a string literal. */
  path?: string;
  /** The last argument when it is an inline function (the handler). */
  handler?: ts.ArrowFunction | ts.FunctionExpression;
}

/** What ng add needs to know about a server.ts file. */
export interface ExpressServer {
  /** Local name of the `express` import. */
  expressName: string;
  /** Names of variables holding `express()` apps. */
  appNames: string[];
  /** Engine variables: name -> kind and declaring statement. */
  engines: Map<string, { kind: EngineKind; statement: ts.VariableStatement }>;
  /** Every `<app>.<method>(...)` statement, in document order. */
  appCalls: AppCall[];
}

/** Reads the express import, apps, engines and app calls of a server file (undefined without express). */
export function readExpressServer(tsModule: typeof ts, sourceFile: ts.SourceFile): ExpressServer | undefined {
  const expressName = findExpressImport(tsModule, sourceFile);
  if (!expressName) return undefined;
  const appNames: string[] = [];
  const engines = new Map<string, { kind: EngineKind; statement: ts.VariableStatement }>();
  for (const declaration of findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration)) {
    const init = declaration.initializer;
    if (!tsModule.isIdentifier(declaration.name) || !init) continue;
    if (tsModule.isCallExpression(init) && isIdentifierNamed(tsModule, init.expression, expressName)) {
      appNames.push(declaration.name.text);
    }
    if (tsModule.isNewExpression(init) && tsModule.isIdentifier(init.expression)) {
      const kind = ENGINE_CLASSES[init.expression.text];
      const statement = declaration.parent.parent;
      if (kind && tsModule.isVariableStatement(statement)) engines.set(declaration.name.text, { kind, statement });
    }
  }
  const appCalls = findDescendants(tsModule, sourceFile, tsModule.isExpressionStatement).flatMap((statement) => {
    const call = statement.expression;
    if (!appNames.some((app) => isMethodCall(tsModule, call, HANDLER_METHODS.concat('post'), app))) return [];
    const typed = call as AppCall['call'];
    const first = typed.arguments[0];
    const last = typed.arguments[typed.arguments.length - 1];
    const handler = last && (tsModule.isArrowFunction(last) || tsModule.isFunctionExpression(last)) ? last : undefined;
    return [
      {
        statement,
        call: typed,
        method: typed.expression.name.text,
        path: first && tsModule.isStringLiteralLike(first) ? first.text : undefined,
        handler,
      },
    ];
  });
  return { expressName, appNames, engines, appCalls };
}

/**
 * True for the paths Express 4 and 5 use for "every other request": `'*'`, `'**'`, `'/**'`, `'/*'`,
 * `'/{*splat}'`, `'*splat'`, and `app.use(fn)` / `app.use('/', fn)` without a path.
 */
export function isCatchAll(call: AppCall): boolean {
  if (call.path === undefined) return call.method === 'use' && call.call.arguments.length >= 1;
  if (call.method === 'use' && call.path === '/') return true;
  if (call.method !== 'use' && !HANDLER_METHODS.includes(call.method)) return false;
  return /^\/?(\*|\*\*|\*[A-Za-z_$][\w$]*|\{\*[A-Za-z_$][\w$]*\})$/.test(call.path);
}

/** True when the call registers `express.static(...)` (the file's static file middleware). */
export function isStaticMiddleware(tsModule: typeof ts, server: ExpressServer, call: AppCall): boolean {
  return call.call.arguments.some((argument) => isMethodCall(tsModule, argument, 'static', server.expressName));
}

/** True when the call registers a body parser for JSON on every route (`app.use(express.json())`). */
export function isGlobalJsonParser(tsModule: typeof ts, server: ExpressServer, call: AppCall): boolean {
  if (call.method !== 'use' || (call.path !== undefined && call.path !== '/')) return false;
  return call.call.arguments.some(
    (argument) => isMethodCall(tsModule, argument, 'json', server.expressName) || isMethodCall(tsModule, argument, 'json', 'bodyParser'),
  );
}

/** True when `node` contains a call `<objectName>.<member>(...)`. */
export function containsMethodCall(tsModule: typeof ts, node: ts.Node, objectName: string, member: string): boolean {
  return (
    findDescendants(tsModule, node, (child): child is ts.CallExpression => isMethodCall(tsModule, child, member, objectName)).length > 0
  );
}

/** True when `node` reads `<objectName>.<member>` anywhere (called or passed on). */
export function referencesMember(tsModule: typeof ts, node: ts.Node, objectName: string, member: string): boolean {
  return (
    findDescendants(
      tsModule,
      node,
      (child): child is ts.PropertyAccessExpression =>
        tsModule.isPropertyAccessExpression(child) &&
        child.name.text === member &&
        isIdentifierNamed(tsModule, child.expression, objectName),
    ).length > 0
  );
}

function findExpressImport(tsModule: typeof ts, sourceFile: ts.SourceFile): string | undefined {
  for (const statement of sourceFile.statements) {
    if (!tsModule.isImportDeclaration(statement) || nameText(tsModule, statement.moduleSpecifier) !== 'express') {
      continue;
    }
    const clause = statement.importClause;
    if (clause?.name) return clause.name.text;
    if (clause?.namedBindings && tsModule.isNamespaceImport(clause.namedBindings)) {
      return clause.namedBindings.name.text;
    }
  }
  return undefined;
}
