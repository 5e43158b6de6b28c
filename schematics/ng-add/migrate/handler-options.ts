import type * as ts from 'typescript';
import { declaredNames, findDescendants, nameText, referencedIdentifiers } from '../../utils/ast-search';
import { CodeStyle, lineIndentAt, quoted } from '../../utils/code-style';
import type { EngineKind } from '../express-server';
import { ForeignImport, commentedOut } from './foreign-imports';
import { HTML_HOOKS, HTML_HOOK_TODO, mapHtmlHook } from './html-hooks';

/** Options ng-isr does by default (or does not need): dropped, and listed in the log. */
const DROPPED: Readonly<Record<string, string>> = {
  enableLogging: 'ng-isr logs concise lines by default (`logger: false` silences them)',
  serverDistFolder: 'not needed',
  inlineCriticalCss: 'the engine default is used',
  backgroundRevalidation: 'always on: a stale page is answered at once and regenerated in the background',
  nonBlockingRender: 'not needed: a page is written as soon as it is rendered',
  skipCachingOnHttpError: 'always on: a render with a failed HttpClient request is never stored',
  compressHtml: 'always on: br and gzip variants are prepared once when a page is stored',
  cacheHtmlCompressionMethod: 'always on: br and gzip variants are prepared once when a page is stored',
};

/** Options with no safe equivalent: left in the file, commented out under a TODO (never dropped silently). */
const NO_EQUIVALENT: Readonly<Record<string, string>> = {
  cacheKeyGenerator: 'ng-isr keys a page by path + allowedQueryParams; port what this key adds (or drop it), see docs/migrating.md',
  variants:
    "ng-isr's variants name a cookie or header and the values it may take ({ name, cookie | header, values }), not functions; port them by hand, see docs/migrating.md",
  ...HTML_HOOK_TODO,
};

const ENGINE_KEYS: Readonly<Record<EngineKind, readonly string[]>> = {
  'common-engine': ['commonEngine', 'bootstrap', 'indexHtml', 'browserDistFolder'],
  'app-engine': ['angularAppEngine'],
};

/** The old cache handler classes and their ng-isr counterparts. */
export const CACHE_CLASSES: Readonly<Record<string, string>> = {
  InMemoryCacheHandler: 'MemoryCacheHandler',
  FileSystemCacheHandler: 'FileSystemCacheHandler',
};

/** The rewritten `new ISRHandler({...})` options, what was dropped, and names only a commented-out option read. */
export interface HandlerOptionsPlan {
  text: string;
  engine: EngineKind;
  dropped: string[];
  todos: string[];
  /** Identifiers that only commented-out options read (their imports may have to be commented out too). */
  orphanedNames: string[];
}

/**
 * Maps the options of an `@rx-angular/isr` / `ngx-isr` `ISRHandler` to ng-isr's: the engine inputs
 * in the order a fresh `ng add` writes them, the user's token expression, kept options, and every
 * option without a safe equivalent commented out under a `TODO(ng-isr)` line.
 */
export function planHandlerOptions(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  literal: ts.ObjectLiteralExpression,
  imports: readonly ForeignImport[],
  tokenEnv: string,
  invalidatePath: string,
): HandlerOptionsPlan | string {
  const values = new Map<string, ts.ObjectLiteralElementLike>();
  for (const property of literal.properties) {
    const name = nameText(tsModule, property.name);
    if (!name || (!tsModule.isPropertyAssignment(property) && !tsModule.isShorthandPropertyAssignment(property))) {
      return `new ISRHandler({...}) has \`${property.getText(sourceFile)}\`, which ng add cannot map`;
    }
    values.set(name, property);
  }
  const engine: EngineKind | undefined = values.has('angularAppEngine')
    ? 'app-engine'
    : values.has('commonEngine')
      ? 'common-engine'
      : undefined;
  if (!engine) return 'new ISRHandler({...}) has neither `commonEngine` nor `angularAppEngine` (the res.render / ngExpressEngine setup)';
  const missing = ENGINE_KEYS[engine].filter((key) => !values.has(key));
  if (missing.length > 0) return `new ISRHandler({...}) lacks ${missing.join(', ')}, which ng-isr's CommonEngine adapter needs`;

  const indent = lineIndentAt(sourceFile.text, literal.getStart(sourceFile)) + style.indentUnit;
  const text = (node: ts.Node) => node.getText(sourceFile);
  const valueOf = (property: ts.ObjectLiteralElementLike) =>
    tsModule.isPropertyAssignment(property) ? property.initializer : (property as ts.ShorthandPropertyAssignment).name;
  const entry = (name: string, value: string) => `${indent}${name === value ? name : `${name}: ${value}`},`;
  const lines = ENGINE_KEYS[engine].map((key) => entry(key, text(valueOf(values.get(key)!))));
  const token = values.get('invalidateSecretToken');
  const tokenValue = token && tokenExpression(tsModule, valueOf(token));
  lines.push(
    `${indent}// Token for POST ${invalidatePath}; on-demand invalidation stays off while it is unset.`,
    entry('invalidateSecretToken', tokenValue ?? `process.env[${quoted(style, tokenEnv)}]`),
  );

  const dropped: string[] = [];
  const todos: string[] = [];
  const commented: ts.Node[] = [];
  for (const [name, property] of values) {
    if (ENGINE_KEYS[engine].includes(name) || name === 'invalidateSecretToken') continue;
    const value = valueOf(property);
    const engineInput = ENGINE_KEYS['common-engine'].includes(name) || name === 'angularAppEngine';
    if (DROPPED[name] || engineInput) {
      dropped.push(`${name} (${DROPPED[name] ?? `not used with ${engine === 'app-engine' ? 'angularAppEngine' : 'commonEngine'}`})`);
    } else if (name === 'buildId' && value.kind === tsModule.SyntaxKind.NullKeyword) {
      dropped.push('buildId: null (ng-isr derives the id from the build output)');
    } else if (isHtmlHook(name) && mapHtmlHook(tsModule, sourceFile, name, value) !== undefined) {
      lines.push(`${indent}${name}: ${mapHtmlHook(tsModule, sourceFile, name, value)!},`);
    } else if (
      name === 'allowedQueryParams' ||
      name === 'buildId' ||
      (name === 'cache' && isMappedCache(tsModule, sourceFile, value, imports))
    ) {
      lines.push(`${indent}${text(property)},`);
    } else {
      const why =
        NO_EQUIVALENT[name] ??
        (name === 'cache'
          ? "a custom cache handler: implement ng-isr's CacheHandler interface (get/set/delete/keysByTag/clear), see docs/migrating.md"
          : `\`${name}\` is not an ng-isr option, see docs/migrating.md`);
      lines.push(commentedOut(`${name}: ${why}`, `${text(property)},`, indent, style.newline));
      todos.push(name);
      commented.push(property);
    }
  }
  const closingIndent = indent.slice(style.indentUnit.length);
  const readElsewhere = new Set(
    findDescendants(tsModule, sourceFile, tsModule.isIdentifier)
      .filter((identifier) => !commented.some((node) => identifier.pos >= node.pos && identifier.end <= node.end))
      .filter((identifier) => !tsModule.isImportSpecifier(identifier.parent) && !tsModule.isImportClause(identifier.parent))
      .map((identifier) => identifier.text),
  );
  const orphanedNames = commented.flatMap((node) => referencedIdentifiers(tsModule, node)).filter((name) => !readElsewhere.has(name));
  return { text: `{${style.newline}${lines.join(style.newline)}${style.newline}${closingIndent}}`, engine, dropped, todos, orphanedNames };
}

function isHtmlHook(name: string): name is (typeof HTML_HOOKS)[number] {
  return (HTML_HOOKS as readonly string[]).includes(name);
}

/**
 * The user's token expression, kept; `null` meant "no token" there, `undefined` does here:
 * `null` alone is replaced by the environment variable, `x || null` / `x ?? null` become `x`.
 */
function tokenExpression(tsModule: typeof ts, value: ts.Expression): string | undefined {
  if (value.kind === tsModule.SyntaxKind.NullKeyword) return undefined;
  const operators = [tsModule.SyntaxKind.BarBarToken, tsModule.SyntaxKind.QuestionQuestionToken];
  if (
    tsModule.isBinaryExpression(value) &&
    operators.includes(value.operatorToken.kind) &&
    value.right.kind === tsModule.SyntaxKind.NullKeyword
  ) {
    return value.left.getText();
  }
  return value.getText();
}

/**
 * `new MemoryCacheHandler(...)` / `new FileSystemCacheHandler(...)` (inline or via a variable) as the
 * cache step left them: ng-isr's names, not imported from a file of the app (a user class of that name).
 */
function isMappedCache(tsModule: typeof ts, sourceFile: ts.SourceFile, value: ts.Expression, imports: readonly ForeignImport[]): boolean {
  let expression: ts.Expression | undefined = value;
  if (tsModule.isIdentifier(value)) {
    const declaration = findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration).find(
      (d) => tsModule.isIdentifier(d.name) && d.name.text === value.text,
    );
    expression = declaration?.initializer;
  }
  if (!expression || !tsModule.isNewExpression(expression) || !tsModule.isIdentifier(expression.expression)) return false;
  const name = expression.expression.text;
  const importedFromApp = sourceFile.statements.some(
    (statement) =>
      tsModule.isImportDeclaration(statement) &&
      !imports.some((entry) => entry.declaration === statement) &&
      declaredNames(tsModule, statement).includes(name),
  );
  return Object.values(CACHE_CLASSES).includes(name) && !importedFromApp;
}

/** The old cache class a `new X(...)` creates, when X is imported from the old package and has an ng-isr counterpart. */
export function foreignCacheClass(
  tsModule: typeof ts,
  expression: ts.NewExpression,
  imports: readonly ForeignImport[],
): string | undefined {
  if (!tsModule.isIdentifier(expression.expression)) return undefined;
  const local = expression.expression.text;
  const imported = imports.map((entry) => entry.names.get(local)).find((name) => name !== undefined);
  return imported && CACHE_CLASSES[imported] ? imported : undefined;
}
