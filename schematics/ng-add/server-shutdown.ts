import { Change, InsertChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { findDescendants, isIdentifierNamed, isMethodCall } from '../utils/ast-search';
import { applyChangesToText } from '../utils/changes';
import { CLI_CODE_STYLE, lineEnd, lineIndentAt, quoted } from '../utils/code-style';
import { findNamedImport } from '../utils/import-edits';
import { referencesMember } from './express-server';
import { lineStartBeforeComments } from './server-middleware';
import { ISR_HANDLER, ServerFileOptions, ServerPlanContext, freeName, readServerPlanContext, usesBlockComments } from './server-plan';
import { HEALTH_PATH, SHUTDOWN_TIMEOUT_ENV, ShutdownNames, bridgeLines, flagLines, healthLines, shutdownLines } from './shutdown-lines';

/** The server.ts text with the graceful shutdown, and what the log says about it. */
export interface ShutdownResult {
  text: string;
  messages: string[];
  /** Why the shutdown was not added, with the lines to add by hand (ng add goes on: a warning). */
  warnings: string[];
}

/** The `listen(...)` call that starts the server, and the app it is called on. */
export interface ListenCall {
  statement: ts.Statement;
  call: ts.CallExpression & { expression: ts.PropertyAccessExpression };
  /** The variable the call's result is stored in already (`const server = app.listen(...)`). */
  capturedAs?: string;
  /** The object `listen` is called on. */
  target: string;
  /** The function that built the app (`const server = app()` in Angular 17/18), if any. */
  factory?: ts.FunctionDeclaration;
}

/**
 * Second pass over a server.ts that routes through ISR already: on SIGTERM/SIGINT stop accepting,
 * drain within `SHUTDOWN_TIMEOUT_MS`, `isr.close()`, exit 0 (a second signal exits at once), and a
 * `/healthz` route that answers 503 meanwhile (the probes of docs/deploy.md). Nothing when the
 * file has it already; a warning with the lines to add when the listen call is not recognised.
 */
export function addGracefulShutdown(tsModule: typeof ts, fileName: string, text: string, options: ServerFileOptions): ShutdownResult {
  const context = readServerPlanContext(tsModule, fileName, text, options);
  if ('reason' in context) return { text, messages: [], warnings: [] };
  const plan = planShutdown(context);
  if (typeof plan === 'string') {
    return { text, messages: [], warnings: [`${fileName}: ${plan}; no graceful shutdown was added. ${manualShutdownLines(context)}`] };
  }
  if (plan.length === 0) return { text, messages: [], warnings: [] };
  const message =
    `${fileName}: on SIGTERM/SIGINT the server now stops accepting connections, lets requests and renders finish ` +
    `within ${SHUTDOWN_TIMEOUT_ENV} (25 s by default) and closes the ISR cache tier; GET ${HEALTH_PATH} answers 503 meanwhile.`;
  return { text: applyChangesToText(fileName, text, plan), messages: [message], warnings: [] };
}

/** The changes (none when done already), or why the listen call is not recognised. */
function planShutdown(context: ServerPlanContext): Change[] | string {
  const { tsModule, sourceFile, style, isrName } = context;
  const done =
    referencesMember(tsModule, sourceFile, isrName, 'close') ||
    findDescendants(tsModule, sourceFile, tsModule.isStringLiteralLike).some((literal) => literal.text === SHUTDOWN_TIMEOUT_ENV);
  if (done) return [];
  if (handlesSignals(tsModule, sourceFile)) return 'it handles SIGTERM or SIGINT itself (add isr.close() there)';
  const listens = findListenCalls(context);
  if (listens.length !== 1) {
    return listens.length === 0 ? `no ${context.appName}.listen(...) call was recognised` : `it calls listen() ${listens.length} times`;
  }
  const listen = listens[0]!;
  const isrDeclaration = findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration).find((declaration) =>
    isIdentifierNamed(tsModule, declaration.name, isrName),
  );
  const isrBlock = isrDeclaration && enclosingBlock(tsModule, isrDeclaration);
  const bridged = !!isrBlock && !contains(isrBlock, listen.statement);
  if (!isrBlock || (bridged && !(listen.factory && contains(listen.factory, isrDeclaration)))) {
    return `\`${isrName}\` is not in scope where the server listens`;
  }
  const handlerClass = findNamedImport(tsModule, sourceFile, NG_ISR_PACKAGE, ISR_HANDLER) ?? ISR_HANDLER;
  const names: ShutdownNames = {
    app: context.appName,
    server: listen.capturedAs ?? freeName(tsModule, sourceFile, ['server', 'httpServer', 'nodeServer']),
    flag: freeName(tsModule, sourceFile, ['shuttingDown', 'isrShuttingDown']),
    isr: bridged ? `(${listen.target}.locals[${quoted(style, isrName)}] as ${handlerClass})` : isrName,
    timeout: freeName(tsModule, sourceFile, ['shutdownTimeoutMs', 'isrShutdownTimeoutMs']),
    shutDown: freeName(tsModule, sourceFile, ['shutDown', 'shutDownGracefully']),
  };
  const changes: Change[] = [];
  const text = sourceFile.text;
  const nl = style.newline;
  const insertLines = (position: number, indent: string, lines: string[]) =>
    changes.push(new InsertChange(sourceFile.fileName, position, indented(lines, indent).join(nl) + nl + nl));

  // The flag is module-level: /healthz (maybe inside the app factory) and the shutdown both read it.
  const routeAt = firstIsrRoute(context);
  const routeIndent = lineIndentAt(text, routeAt.getStart(sourceFile));
  const flag = flagLines(style, usesBlockComments(tsModule, sourceFile, sourceFile.statements), names);
  const routeLines = context.server.appCalls.some((call) => call.path === HEALTH_PATH)
    ? []
    : healthLines(style, context.blockComments, names);
  if (bridged) routeLines.push(...(routeLines.length ? [''] : []), ...bridgeLines(style, context.blockComments, names.app, isrName));
  if (tsModule.isSourceFile(context.siblings)) {
    insertLines(lineStartBeforeComments(tsModule, sourceFile, routeAt), routeIndent, [
      ...flag,
      ...(routeLines.length ? ['', ...routeLines] : []),
    ]);
  } else {
    insertLines(lineStartBeforeComments(tsModule, sourceFile, topLevelStatement(tsModule, context.siblings)), '', flag);
    if (routeLines.length) insertLines(lineStartBeforeComments(tsModule, sourceFile, routeAt), routeIndent, routeLines);
  }

  // Capture the listening server, then the shutdown right after the listen call.
  if (!listen.capturedAs) {
    changes.push(new InsertChange(sourceFile.fileName, listen.statement.getStart(sourceFile), `const ${names.server} = `));
  }
  const parent = listen.statement.parent as ts.Block | ts.SourceFile;
  const blockComments = usesBlockComments(tsModule, sourceFile, parent.statements);
  const indent = lineIndentAt(text, listen.statement.getStart(sourceFile));
  const lines = indented(shutdownLines(style, blockComments, names), indent);
  changes.push(new InsertChange(sourceFile.fileName, lineEnd(text, listen.statement.getEnd()), nl + nl + lines.join(nl)));
  return changes;
}

/** The lines to add by hand, in the Angular CLI's style (for the warning). */
function manualShutdownLines(context: ServerPlanContext): string {
  const names: ShutdownNames = {
    app: context.appName,
    server: 'server',
    flag: 'shuttingDown',
    isr: context.isrName,
    timeout: 'shutdownTimeoutMs',
    shutDown: 'shutDown',
  };
  return [
    'Add it by hand:',
    '',
    '// at the top level:',
    ...flagLines(CLI_CODE_STYLE, false, names),
    '',
    `// before the ISR routes:`,
    ...healthLines(CLI_CODE_STYLE, false, names),
    '',
    `// where the server listens (keep the listening server: const server = ${context.appName}.listen(...)):`,
    ...shutdownLines(CLI_CODE_STYLE, false, names),
  ].join('\n');
}

/** Every `<app>.listen(...)` statement (or `const x = <app>.listen(...)`), with the factory that built the app. */
export function findListenCalls(context: ServerPlanContext): ListenCall[] {
  const { tsModule, sourceFile } = context;
  const calls = findDescendants(tsModule, sourceFile, (node): node is ListenCall['call'] => isMethodCall(tsModule, node, 'listen'));
  return calls.flatMap((call): ListenCall[] => {
    const object = call.expression.expression;
    if (!tsModule.isIdentifier(object)) return [];
    const app = resolveApp(context, call, object.text);
    if (!app) return [];
    const parent = call.parent;
    const found = { call, target: object.text, factory: app.factory };
    if (tsModule.isExpressionStatement(parent)) return [{ statement: parent, ...found }];
    const statement = parent.parent?.parent;
    if (
      tsModule.isVariableDeclaration(parent) &&
      tsModule.isIdentifier(parent.name) &&
      statement &&
      tsModule.isVariableStatement(statement)
    ) {
      return [{ statement, ...found, capturedAs: parent.name.text }];
    }
    return [];
  });
}

/**
 * What `name` holds where `from` reads it: the express app itself (`const app = express()`), or an
 * app built by a function of the file (`const server = app()`, Angular 17/18). Undefined otherwise.
 */
export function resolveApp(
  { tsModule, sourceFile, server }: ServerPlanContext,
  from: ts.Node,
  name: string,
): { factory?: ts.FunctionDeclaration } | undefined {
  const declaration = visibleDeclaration(tsModule, from, name);
  const init = declaration?.initializer;
  if (!init || !tsModule.isCallExpression(init) || !tsModule.isIdentifier(init.expression)) return undefined;
  if (init.expression.text === server.expressName) return {};
  const factoryName = init.expression.text;
  const factory = sourceFile.statements.find(
    (statement): statement is ts.FunctionDeclaration => tsModule.isFunctionDeclaration(statement) && statement.name?.text === factoryName,
  );
  const createsApp =
    factory &&
    findDescendants(tsModule, factory, tsModule.isVariableDeclaration).some(
      (candidate) =>
        !!candidate.initializer &&
        tsModule.isCallExpression(candidate.initializer) &&
        isIdentifierNamed(tsModule, candidate.initializer.expression, server.expressName),
    );
  return createsApp ? { factory } : undefined;
}

/** The `const name = …` declaration `from` sees (innermost block first). */
function visibleDeclaration(tsModule: typeof ts, from: ts.Node, name: string): ts.VariableDeclaration | undefined {
  for (let node: ts.Node | undefined = from.parent; node; node = node.parent) {
    if (!tsModule.isBlock(node) && !tsModule.isSourceFile(node)) continue;
    for (const statement of node.statements) {
      if (!tsModule.isVariableStatement(statement)) continue;
      const found = statement.declarationList.declarations.find((declaration) => isIdentifierNamed(tsModule, declaration.name, name));
      if (found) return found;
    }
  }
  return undefined;
}

/** Whether the file registers its own SIGTERM/SIGINT handling (`process.on('SIGTERM', …)`). */
function handlesSignals(tsModule: typeof ts, sourceFile: ts.SourceFile): boolean {
  return findDescendants(tsModule, sourceFile, (node): node is ts.CallExpression =>
    isMethodCall(tsModule, node, ['on', 'once', 'addListener', 'prependListener'], 'process'),
  ).some((call) => {
    const first = call.arguments[0];
    return !!first && tsModule.isStringLiteralLike(first) && (first.text === 'SIGTERM' || first.text === 'SIGINT');
  });
}

/** The first route ISR added (or express.static, or the catch-all): /healthz goes in front of it. */
function firstIsrRoute(context: ServerPlanContext): ts.Statement {
  const { tsModule, isrName, staticCall, anchor } = context;
  const first = context.callsBefore.find(
    (call) =>
      call.statement.parent === context.siblings &&
      (call === staticCall || ['invalidate', 'serveFromCache'].some((member) => referencesMember(tsModule, call.call, isrName, member))),
  );
  return first?.statement ?? anchor;
}

export function enclosingBlock(tsModule: typeof ts, node: ts.Node): ts.Block | ts.SourceFile | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (tsModule.isBlock(current) || tsModule.isSourceFile(current)) return current;
  }
  return undefined;
}

export function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end && inner.getSourceFile() === outer.getSourceFile();
}

function topLevelStatement(tsModule: typeof ts, node: ts.Node): ts.Statement {
  let current = node;
  while (current.parent && !tsModule.isSourceFile(current.parent)) current = current.parent;
  return current as ts.Statement;
}

/** Indents non-empty lines (blank lines stay empty). */
function indented(lines: readonly string[], indent: string): string[] {
  return lines.map((line) => (line ? indent + line : line));
}
