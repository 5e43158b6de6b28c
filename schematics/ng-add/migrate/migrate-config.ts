import type { Change } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { NG_ISR_PACKAGE } from '../../../common/constants';
import { findDescendants, isIdentifierNamed, parseSource } from '../../utils/ast-search';
import { applyChangesToText, replaceRange } from '../../utils/changes';
import { detectCodeStyle } from '../../utils/code-style';
import { addNamedImport } from '../../utils/import-edits';
import type { LogMessage } from '../messages';
import { pruneUnusedImports } from '../server-catch-all';
import { findForeignImports, removeStatementLines } from './foreign-imports';

/** Names of the old packages that `provideISR()` from ng-isr replaces (removed where they are used). */
const REPLACED = ['provideISR', 'isrHttpInterceptors', 'NgxIsrModule', 'IsrModule'];

/**
 * Migrates an app file (server config, browser config, NgModule) that imports the old package:
 * `provideISR()` comes from ng-isr, `isrHttpInterceptors` (in `withInterceptors(...)`) and
 * `NgxIsrModule` / `IsrModule` (in `imports: [...]`) go, since ng-isr's `provideISR()` watches
 * HttpClient errors itself. Other names (types, `IsrService`, a `CacheHandler` base class) are left
 * with a warning. A string is the reason a use could not be migrated.
 */
export function migrateAppFile(tsModule: typeof ts, fileName: string, text: string): { text: string; messages: LogMessage[] } | string {
  const sourceFile = parseSource(tsModule, fileName, text);
  const imports = findForeignImports(tsModule, sourceFile);
  if (imports.length === 0) return { text, messages: [] };
  const file = fileName.replace(/^\//, '');
  const changes: Change[] = [];
  const messages: LogMessage[] = [];
  let provides = false;
  for (const entry of imports) {
    const others = [...entry.names].filter(([, imported]) => !REPLACED.includes(imported));
    if (others.length > 0) {
      const line = sourceFile.getLineAndCharacterOfPosition(entry.declaration.getStart(sourceFile)).line + 1;
      messages.push({
        level: 'warn',
        text:
          `${file}:${line} still imports ${others.map(([local]) => local).join(', ')} from ${entry.packageName}, which ng add removes from ` +
          'package.json: replace them by hand (docs/migrating.md has the mapping).',
      });
      continue;
    }
    for (const [local, imported] of entry.names) {
      const uses = findDescendants(tsModule, sourceFile, tsModule.isIdentifier).filter(
        (identifier) => identifier.text === local && !tsModule.isImportSpecifier(identifier.parent),
      );
      for (const use of uses) {
        const removal = imported === 'provideISR' ? keepProvideIsr(tsModule, use) : removeUse(tsModule, sourceFile, use);
        if (typeof removal === 'string') return `${file}: ${removal}`;
        if (removal) changes.push(removal);
        if (imported === 'provideISR') provides = true;
      }
    }
    changes.push(removeStatementLines(sourceFile, entry.declaration));
  }
  let migrated = applyChangesToText(fileName, text, changes);
  if (provides && changes.length > 0) {
    const updated = parseSource(tsModule, fileName, migrated);
    const change = addNamedImport(tsModule, updated, detectCodeStyle(tsModule, updated), NG_ISR_PACKAGE, 'provideISR');
    if (change) migrated = applyChangesToText(fileName, migrated, [change]);
  }
  migrated = pruneUnusedImports(tsModule, fileName, migrated, ['withInterceptors', 'provideHttpClient']);
  if (migrated !== text)
    messages.push({ level: 'info', text: `${file}: the ${imports[0]!.packageName} providers now come from ng-isr's provideISR().` });
  return { text: migrated, messages };
}

function keepProvideIsr(tsModule: typeof ts, use: ts.Identifier): undefined | string {
  const call = use.parent;
  if (tsModule.isCallExpression(call) && call.expression === use && call.arguments.length === 0) return undefined;
  return '`provideISR` is used other than as provideISR()';
}

/** Removes `isrHttpInterceptors` / `NgxIsrModule.forRoot()` from the call or array it stands in. */
function removeUse(tsModule: typeof ts, sourceFile: ts.SourceFile, use: ts.Identifier): Change | string {
  let node: ts.Node = use;
  // `NgxIsrModule.forRoot(...)`, `...isrHttpInterceptors`
  if (tsModule.isPropertyAccessExpression(node.parent) && tsModule.isCallExpression(node.parent.parent)) node = node.parent.parent;
  if (tsModule.isSpreadElement(node.parent)) node = node.parent;
  const container = node.parent;
  // `withInterceptors(isrHttpInterceptors)` alone: the whole feature goes.
  if (
    tsModule.isCallExpression(container) &&
    isIdentifierNamed(tsModule, container.expression, 'withInterceptors') &&
    container.arguments.length === 1 &&
    container.arguments[0] === node
  ) {
    node = container;
  }
  const list = node.parent;
  const elements = tsModule.isArrayLiteralExpression(list) ? list.elements : tsModule.isCallExpression(list) ? list.arguments : undefined;
  if (!elements) return `\`${use.text}\` is used in \`${node.parent.getText(sourceFile).slice(0, 60)}\`, which ng add cannot edit`;
  const index = elements.indexOf(node as ts.Expression);
  const next = elements[index + 1];
  const previous = elements[index - 1];
  const text = sourceFile.text;
  if (next) return replaceRange(sourceFile.fileName, text, node.getStart(sourceFile), next.getStart(sourceFile), '');
  if (previous)
    return replaceRange(sourceFile.fileName, text, previous.getEnd(), elements.hasTrailingComma ? elements.end : node.getEnd(), '');
  return replaceRange(sourceFile.fileName, text, node.getStart(sourceFile), elements.hasTrailingComma ? elements.end : node.getEnd(), '');
}
