import type { Change } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { NG_ISR_PACKAGE } from '../../../common/constants';
import { findDescendants, parseSource } from '../../utils/ast-search';
import { applyChangesToText, replaceRange } from '../../utils/changes';
import { detectCodeStyle, lineIndentAt } from '../../utils/code-style';
import { addNamedImport } from '../../utils/import-edits';
import { readExpressServer } from '../express-server';
import { pruneUnusedImports } from '../server-catch-all';
import type { LogMessage } from '../messages';
import { ISR_HANDLER } from '../server-plan';
import { planCacheHandlers } from './cache-handlers';
import { commentedOut, findForeignImports, foreignLocalName, removeStatementLines } from './foreign-imports';
import { CACHE_CLASSES, planHandlerOptions } from './handler-options';
import { planIsrRoutes } from './isr-routes';

/** A server.ts brought from the old library's wiring to the shape the fresh `ng add` planners finish. */
export interface ServerMigration {
  /** The package migrated from (undefined when the file does not use one: nothing changed). */
  packageName: string | undefined;
  text: string;
  /** The invalidate path the old route used (callers keep calling it). */
  invalidatePath: string | undefined;
  messages: LogMessage[];
}

/**
 * Rewrites an `@rx-angular/isr` / `ngx-isr` server.ts: the ISRHandler import and options (mapped,
 * dropped or kept under a TODO), the cache handler classes, the invalidate route and global JSON
 * parser (removed: the fresh planners add ng-isr's route), and the catch-all (`isr.handle`).
 * A string is the reason the file's shape is not one ng add recognises (nothing is changed then).
 */
export function migrateServerFile(
  tsModule: typeof ts,
  fileName: string,
  text: string,
  options: { tokenEnv: string; invalidatePath: string },
): ServerMigration | string {
  const original = parseSource(tsModule, fileName, text);
  if (findForeignImports(tsModule, original).length === 0) return { packageName: undefined, text, invalidatePath: undefined, messages: [] };
  // The cache handler classes first: the handler options below are read from the renamed text.
  const caches = planCacheHandlers(tsModule, original, findForeignImports(tsModule, original));
  if (typeof caches === 'string') return caches;
  const renamed = applyChangesToText(fileName, text, caches.changes);
  const sourceFile = parseSource(tsModule, fileName, renamed);
  const imports = findForeignImports(tsModule, sourceFile);
  const packageName = imports[0]!.packageName;
  const server = readExpressServer(tsModule, sourceFile);
  if (!server || server.appNames.length !== 1) return `it imports ${packageName} but does not create one express() app`;
  const others = imports.flatMap((entry) => [...entry.names].filter(([, name]) => name !== ISR_HANDLER && !(name in CACHE_CLASSES)));
  const used = others.filter(([local]) =>
    findDescendants(tsModule, sourceFile, tsModule.isIdentifier).some((id) => id.text === local && !tsModule.isImportSpecifier(id.parent)),
  );
  if (used.length > 0) {
    return `it uses ${used.map(([local]) => local).join(', ')} from ${packageName} itself (a CacheHandler subclass declared in server.ts?): move that code to a file of its own, then run ng add again`;
  }
  const handlerClass = foreignLocalName(imports, ISR_HANDLER);
  const instances = findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration).filter(
    (d) => d.initializer && tsModule.isNewExpression(d.initializer) && d.initializer.expression.getText(sourceFile) === handlerClass,
  );
  if (!handlerClass || instances.length !== 1 || !tsModule.isIdentifier(instances[0]!.name)) {
    return `it does not create one ${packageName} ISRHandler as \`const isr = new ISRHandler({...})\``;
  }
  const instance = instances[0]!;
  const literal = (instance.initializer as ts.NewExpression).arguments?.[0];
  if (!literal || !tsModule.isObjectLiteralExpression(literal)) return 'new ISRHandler(...) is not called with an object literal';
  const style = detectCodeStyle(tsModule, sourceFile);
  const isrName = (instance.name as ts.Identifier).text;

  const handler = planHandlerOptions(tsModule, sourceFile, style, literal, imports, options.tokenEnv, options.invalidatePath);
  if (typeof handler === 'string') return handler;
  const routes = planIsrRoutes(tsModule, sourceFile, style, server, isrName);
  if (typeof routes === 'string') return routes;

  const changes: Change[] = [
    replaceRange(fileName, renamed, literal.getStart(sourceFile), literal.getEnd(), handler.text),
    ...routes.changes,
    ...imports.map((entry) => removeStatementLines(sourceFile, entry.declaration)),
    ...orphanedImports(tsModule, sourceFile, handler.orphanedNames, style.newline),
  ];
  let migrated = applyChangesToText(fileName, renamed, changes);
  for (const name of [ISR_HANDLER, ...caches.classes]) {
    const updated = parseSource(tsModule, fileName, migrated);
    const change = addNamedImport(tsModule, updated, style, NG_ISR_PACKAGE, name);
    if (change) migrated = applyChangesToText(fileName, migrated, [change]);
  }
  // APP_BASE_HREF only fed the old calls' providers (ng-isr sets the base href itself).
  migrated = pruneUnusedImports(tsModule, fileName, migrated, ['APP_BASE_HREF']);
  const file = fileName.replace(/^\//, '');
  const messages: LogMessage[] = [
    { level: 'info', text: `${file}: migrated from ${packageName}: ISRHandler, its invalidate route and catch-all now use ng-isr.` },
    ...caches.messages.map((message) => ({ level: 'info' as const, text: `${file}: ${message}` })),
    ...routes.info.map((message) => ({ level: 'info' as const, text: message })),
    ...routes.warnings.map((message) => ({ level: 'warn' as const, text: message })),
  ];
  if (!literal.properties.some((property) => property.name?.getText(sourceFile) === 'allowedQueryParams')) {
    messages.push({
      level: 'info',
      text: `${file}: ${packageName} kept every query parameter in the cache key; ng-isr caches none unless listed in allowedQueryParams (requests with others bypass the cache).`,
    });
  }
  if (handler.dropped.length > 0) {
    messages.push({ level: 'info', text: `${file}: dropped ISRHandler options ng-isr does by default: ${handler.dropped.join('; ')}.` });
  }
  return { packageName, text: migrated, invalidatePath: routes.invalidatePath, messages };
}

/**
 * Relative imports that only commented-out options read (a custom CacheHandler subclass's file
 * still imports the old package): commented out too, so that the app compiles without it.
 */
function orphanedImports(tsModule: typeof ts, sourceFile: ts.SourceFile, names: readonly string[], newline: string): Change[] {
  return sourceFile.statements.filter(tsModule.isImportDeclaration).flatMap((declaration) => {
    const specifier = (declaration.moduleSpecifier as ts.StringLiteral).text;
    const bindings = declaration.importClause?.namedBindings;
    if (!specifier.startsWith('.') || !bindings || !tsModule.isNamedImports(bindings)) return [];
    if (!bindings.elements.every((element) => names.includes(element.name.text))) return [];
    const why = 'only an ISRHandler option commented out below reads this import; restore both once it is ported to ng-isr';
    const text = commentedOut(
      why,
      declaration.getText(sourceFile),
      lineIndentAt(sourceFile.text, declaration.getStart(sourceFile)),
      newline,
    );
    return [replaceRange(sourceFile.fileName, sourceFile.text, declaration.getStart(sourceFile), declaration.getEnd(), text.trimStart())];
  });
}
