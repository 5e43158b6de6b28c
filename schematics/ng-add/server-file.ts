import type * as ts from 'typescript';
import { declaredNames, findDescendants, parseSource, referencedIdentifiers } from '../utils/ast-search';
import { CodeStyle, detectCodeStyle, lineIndentAt, quoted } from '../utils/code-style';
import { addNamedImport, findNamedImport } from '../utils/import-edits';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { TextEdit, applyTextEdits, insertAt } from '../utils/text-edits';
import {
  AppCall,
  EngineKind,
  ExpressServer,
  containsMethodCall,
  isCatchAll,
  isGlobalJsonParser,
  isStaticMiddleware,
  readExpressServer,
  referencesMember,
} from './express-server';
import { RenderCall, handlerParams, readRenderCall } from './render-call';

/** Options that shape the generated server code. */
export interface ServerFileOptions {
  /** Environment variable holding the invalidation token. */
  tokenEnv: string;
  /** Path of the on-demand invalidation endpoint. */
  invalidatePath: string;
}

/** The outcome of rewriting server.ts: the new text (unchanged when already done) or why it was refused. */
export type ServerFileResult =
  | { ok: true; text: string; engine: EngineKind | undefined; messages: string[] }
  | ({ ok: false; reason: string } & ManualHint);

/** What is known about a refused file, so that the printed lines use its own names. */
export interface ManualHint {
  engine: EngineKind | undefined;
  appName?: string;
  engineName?: string;
}

const ISR_HANDLER = 'ISRHandler';

/**
 * Rewrites a server.ts so that pages go through ISR: imports ISRHandler, creates one instance for the
 * file's engine, adds the invalidation route and the cache middleware, and routes the catch-all
 * handler through `isr.handle`. Each step checks first whether it was done already, so a second run
 * returns the text unchanged. Pure: the caller decides whether to write.
 */
export function rewriteServerFile(
  tsModule: typeof ts,
  fileName: string,
  text: string,
  options: ServerFileOptions,
): ServerFileResult {
  const sourceFile = parseSource(tsModule, fileName, text);
  const server = readExpressServer(tsModule, sourceFile);
  if (!server) return { ok: false, reason: 'it does not import express', engine: undefined };
  if (server.appNames.length !== 1) {
    return { ok: false, reason: `it creates ${server.appNames.length} express() apps, expected one`, engine: undefined };
  }
  const appName = server.appNames[0]!;
  const engines = [...server.engines];
  const refuse = (reason: string, engine: EngineKind | undefined): ServerFileResult => ({
    ok: false,
    reason,
    engine,
    appName,
    engineName: engines.length === 1 ? engines[0]![0] : undefined,
  });
  const style = detectCodeStyle(tsModule, sourceFile);
  const messages: string[] = [];
  const edits: TextEdit[] = [];

  const importedAs = findNamedImport(tsModule, sourceFile, NG_ISR_PACKAGE, ISR_HANDLER) ?? ISR_HANDLER;
  const existingInstance = findIsrInstance(tsModule, sourceFile, importedAs);
  const isrName = existingInstance?.name ?? freeName(tsModule, sourceFile, ['isr', 'isrHandler', 'ngIsr']);

  // The catch-all: already routed through ISR, or the engine-rendering handler to route through it.
  const routed = server.appCalls.find((call) => call.handler && containsMethodCall(tsModule, call.handler, isrName, 'handle'));
  let renderCatchAll: { call: AppCall; render: RenderCall } | undefined;
  let engine: EngineKind | undefined = existingInstance ? engineOfInstance(tsModule, existingInstance.options) : undefined;
  if (!routed) {
    const found = findRenderCatchAll(tsModule, server);
    if (typeof found === 'string') return refuse(found, singleEngineKind(server));
    renderCatchAll = found;
    engine = found.render.kind;
  }
  const anchor = (routed ?? renderCatchAll!.call).statement;
  const siblings = anchor.parent as ts.Block | ts.SourceFile;
  if (!tsModule.isBlock(siblings) && !tsModule.isSourceFile(siblings)) {
    return refuse('the catch-all handler is not registered at the top level of a block', engine);
  }
  const anchorIndex = siblings.statements.indexOf(anchor);
  const blockComments = usesBlockComments(tsModule, sourceFile, siblings.statements);

  const importEdit = addNamedImport(tsModule, sourceFile, style, NG_ISR_PACKAGE, ISR_HANDLER);
  if (importEdit) edits.push(importEdit);

  if (!existingInstance) {
    const instance = planInstance(tsModule, sourceFile, style, renderCatchAll!.render, isrName, options, anchor);
    if (typeof instance === 'string') return refuse(instance, engine);
    // The instance must exist before the routes that use it.
    if (instance.container === siblings && instance.afterIndex >= firstRouteIndex(tsModule, server, siblings, anchorIndex)) {
      return refuse('the engine or its inputs are declared after the middleware that would use ISR', engine);
    }
    edits.push(instance.edit);
  }

  const before = siblings.statements.slice(0, anchorIndex);
  const callsBefore = server.appCalls.filter((call) => before.includes(call.statement));
  const staticCall = callsBefore.find((call) => isStaticMiddleware(tsModule, server, call));
  const routeLines: string[] = [];

  // `isr.invalidate` passed as it is (bound) or called from an inline handler (the seed's wiring).
  const hasInvalidateRoute = server.appCalls.some(
    (call) => call.method === 'post' && referencesMember(tsModule, call.call, isrName, 'invalidate'),
  );
  if (!hasInvalidateRoute) {
    routeLines.push(
      ...comment(blockComments, 'On-demand revalidation: POST { token, urlsToInvalidate } to drop pages from the ISR cache.'),
    );
    const path = quoted(style, options.invalidatePath);
    if (callsBefore.some((call) => isGlobalJsonParser(tsModule, server, call))) {
      // The app parses JSON for every route already; its own error handling answers bad bodies
      // (a route's error middleware never sees errors of middleware registered before the route).
      routeLines.push(`${appName}.post(${path}, ${isrName}.invalidate)${style.semicolon}`);
      messages.push(
        `${options.invalidatePath} uses the app's own app.use(express.json()), so malformed or oversized bodies there are ` +
          `answered by your error handling, not as JSON; ${isrName}.invalidateBodyErrors can answer them ` +
          `(app.use(${quoted(style, options.invalidatePath)}, ${isrName}.invalidateBodyErrors) after the route).`,
      );
    } else {
      // The body parser only for this route; the comment inside the call keeps formatters from joining the lines.
      routeLines.push(
        `${appName}.post(`,
        `${style.indentUnit}${path},`,
        `${style.indentUnit}${server.expressName}.json(),`,
        `${style.indentUnit}${isrName}.invalidate,`,
        `${style.indentUnit}// Answers malformed or oversized JSON with a JSON error, not an HTML page.`,
        `${style.indentUnit}${isrName}.invalidateBodyErrors${style.trailingComma}`,
        `)${style.semicolon}`,
      );
    }
  }

  const hasServeFromCache = referencesMember(tsModule, sourceFile, isrName, 'serveFromCache');
  let cacheMiddlewareBeforeStatic = false;
  if (!hasServeFromCache && staticCall) {
    // Middleware registered between the static files and the catch-all (auth, headers...) must still
    // run for cached pages, so the early cache lookup only goes in front of static when there is none.
    const between = callsBefore.filter(
      (call) => call.statement.pos > staticCall.statement.pos && call.method === 'use' && call !== staticCall,
    );
    if (between.length === 0) {
      cacheMiddlewareBeforeStatic = true;
    } else {
      messages.push(
        `Cached pages are looked up by ${isrName}.handle after your middleware between express.static and the catch-all ` +
          '(not before express.static), so that middleware keeps running for every page.',
      );
    }
  }
  const cacheLines = cacheMiddlewareBeforeStatic
    ? [
        ...comment(blockComments, 'Serve cached pages before the static file lookup; other requests fall through.'),
        `${appName}.use((req, res, next) => ${isrName}.serveFromCache(req, res, next))${style.semicolon}`,
      ]
    : [];

  // New routes go in front of express.static (or of the catch-all when the file serves no static files).
  const insertBefore = staticCall?.statement ?? anchor;
  if (routeLines.length > 0 || cacheLines.length > 0) {
    const indent = lineIndentAt(text, insertBefore.getStart(sourceFile));
    const groups = [routeLines, cacheLines].filter((lines) => lines.length > 0);
    const block = groups.map((lines) => lines.map((line) => indent + line).join(style.newline)).join(style.newline + style.newline);
    edits.push(insertAt(lineStartBeforeComments(tsModule, sourceFile, insertBefore), block + style.newline + style.newline));
  }

  let replacedIdentifiers: string[] = [];
  if (renderCatchAll) {
    const handled = handleEdits(tsModule, sourceFile, style, renderCatchAll, isrName);
    edits.push(...handled.edits);
    replacedIdentifiers = handled.removedReferences;
  }

  if (edits.length === 0) return { ok: true, text, engine, messages };
  const rewritten = applyTextEdits(text, edits);
  // Imports only the replaced engine call used (writeResponseToNodeResponse, APP_BASE_HREF) go too.
  return { ok: true, text: pruneUnusedImports(tsModule, fileName, rewritten, replacedIdentifiers), engine, messages };
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

function findRenderCatchAll(tsModule: typeof ts, server: ExpressServer): { call: AppCall; render: RenderCall } | string {
  if (server.engines.size === 0) {
    return 'it creates neither an AngularNodeAppEngine nor a CommonEngine';
  }
  const rendering = server.appCalls.filter(
    (call) =>
      call.handler &&
      [...server.engines].some(([name, engine]) =>
        containsMethodCall(tsModule, call.handler!, name, engine.kind === 'app-engine' ? 'handle' : 'render'),
      ),
  );
  if (rendering.length === 0) return 'no app.use/app.get handler renders with the engine (inline function expected)';
  if (rendering.length > 1) return `${rendering.length} handlers render with the engine, expected one catch-all`;
  const call = rendering[0]!;
  if (!isCatchAll(call)) {
    return `the handler that renders with the engine is registered for '${call.path}', not for every path`;
  }
  const render = readRenderCall(tsModule, call.handler!, server.engines);
  return typeof render === 'string' ? render : { call, render };
}

function singleEngineKind(server: ExpressServer): EngineKind | undefined {
  const kinds = new Set([...server.engines.values()].map((engine) => engine.kind));
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

function findIsrInstance(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  className: string,
): { name: string; options: ts.Expression | undefined } | undefined {
  for (const declaration of findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration)) {
    const init = declaration.initializer;
    if (
      init &&
      tsModule.isNewExpression(init) &&
      tsModule.isIdentifier(init.expression) &&
      init.expression.text === className &&
      tsModule.isIdentifier(declaration.name)
    ) {
      return { name: declaration.name.text, options: init.arguments?.[0] };
    }
  }
  return undefined;
}

function engineOfInstance(tsModule: typeof ts, options: ts.Expression | undefined): EngineKind | undefined {
  if (!options || !tsModule.isObjectLiteralExpression(options)) return undefined;
  const names = options.properties.map((property) => property.name?.getText());
  if (names.includes('angularAppEngine')) return 'app-engine';
  if (names.includes('commonEngine')) return 'common-engine';
  return undefined;
}

function freeName(tsModule: typeof ts, sourceFile: ts.SourceFile, candidates: readonly string[]): string {
  const taken = new Set(
    findDescendants(tsModule, sourceFile, tsModule.isIdentifier).map((identifier) => identifier.text),
  );
  return candidates.find((name) => !taken.has(name)) ?? `${candidates[0]}${taken.size}`;
}

/** Index of the first route statement (static middleware or the catch-all) in the anchor's block. */
function firstRouteIndex(
  tsModule: typeof ts,
  server: ExpressServer,
  block: ts.Block | ts.SourceFile,
  anchorIndex: number,
): number {
  const staticCall = server.appCalls.find(
    (call) => call.statement.parent === block && isStaticMiddleware(tsModule, server, call),
  );
  const staticIndex = staticCall ? block.statements.indexOf(staticCall.statement) : anchorIndex;
  return Math.min(staticIndex, anchorIndex);
}

interface PlannedInstance {
  edit: TextEdit;
  container: ts.Block | ts.SourceFile;
  afterIndex: number;
}

function planInstance(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  render: RenderCall,
  isrName: string,
  options: ServerFileOptions,
  anchor: ts.Statement,
): PlannedInstance | string {
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
  return { edit: insertAt(lineEnd(sourceFile.text, after.getEnd()), style.newline + style.newline + block), container: container!, afterIndex };
}

function handleEdits(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  catchAll: { call: AppCall; render: RenderCall },
  isrName: string,
): { edits: TextEdit[]; removedReferences: string[] } {
  const text = sourceFile.text;
  const handler = catchAll.call.handler!;
  const params = handlerParams(tsModule, handler)!;
  const call = `${catchAll.render.awaited ? 'await ' : ''}${isrName}.handle(${params.req}, ${params.res}, ${params.next})`;
  const node = catchAll.render.replaceNode;
  const start = node.getStart(sourceFile);
  const removedReferences = referencedIdentifiers(tsModule, node);
  if (!catchAll.render.isStatement || !tsModule.isBlock(handler.body)) {
    return { edits: [{ start, end: node.getEnd(), text: call }], removedReferences };
  }
  const indent = lineIndentAt(text, start);
  const edits: TextEdit[] = [
    {
      start,
      end: node.getEnd(),
      text: `// Serve the page from the ISR cache, or render it with the engine and cache it.${style.newline}${indent}${call}${style.semicolon}`,
    },
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
      index === replacedIndex - 1
        ? text.lastIndexOf('\n', start - 1) + 1
        : Math.min(lineEnd(text, statement.getEnd()) + 1, text.length);
    edits.push({ start: from, end: to, text: '' });
  });
  return { edits, removedReferences };
}

/** Removes named imports of `candidates` that the file no longer reads. */
function pruneUnusedImports(tsModule: typeof ts, fileName: string, text: string, candidates: readonly string[]): string {
  const sourceFile = parseSource(tsModule, fileName, text);
  const counts = new Map<string, number>();
  for (const identifier of findDescendants(tsModule, sourceFile, tsModule.isIdentifier)) {
    counts.set(identifier.text, (counts.get(identifier.text) ?? 0) + 1);
  }
  const edits: TextEdit[] = [];
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
      edits.push({ start: from, end: Math.min(lineEnd(text, statement.getEnd()) + 1, text.length), text: '' });
      continue;
    }
    for (const element of unused) {
      const index = elements.indexOf(element);
      const next = elements[index + 1];
      edits.push(
        next
          ? { start: element.getStart(sourceFile), end: next.getStart(sourceFile), text: '' }
          : { start: elements[index - 1]!.getEnd(), end: element.getEnd(), text: '' },
      );
    }
  }
  return edits.length > 0 ? applyTextEdits(text, edits) : text;
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

/** Whether the statements of a block are introduced by `/** ... *\/` comments (Angular 19+) or `//` (17/18). */
function usesBlockComments(tsModule: typeof ts, sourceFile: ts.SourceFile, statements: readonly ts.Statement[]): boolean {
  return statements.some((statement) =>
    (tsModule.getLeadingCommentRanges(sourceFile.text, statement.getFullStart()) ?? []).some((range) =>
      sourceFile.text.startsWith('/**', range.pos),
    ),
  );
}

function comment(block: boolean, text: string): string[] {
  return block ? ['/**', ` * ${text}`, ' */'] : [`// ${text}`];
}

/** The start of the line where a statement's leading comments begin (insert new statements there). */
function lineStartBeforeComments(tsModule: typeof ts, sourceFile: ts.SourceFile, statement: ts.Statement): number {
  const text = sourceFile.text;
  const comments = tsModule.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
  // Only the comments directly attached to the statement (no blank line in between).
  let start = statement.getStart(sourceFile);
  for (let i = comments.length - 1; i >= 0; i--) {
    const range = comments[i]!;
    const gap = text.slice(range.end, start);
    if (/\n[ \t]*\r?\n/.test(gap)) break;
    start = range.pos;
  }
  return text.lastIndexOf('\n', start - 1) + 1;
}

/** The end of the line holding `position` (before its line break), so trailing comments stay put. */
function lineEnd(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  if (newline === -1) return text.length;
  return text[newline - 1] === '\r' ? newline - 1 : newline;
}
