import type { Change } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { findDescendants, getObjectProperty, nameText, propertyValue } from '../../utils/ast-search';
import { replaceRange } from '../../utils/changes';
import { ForeignImport } from './foreign-imports';
import { CACHE_CLASSES, foreignCacheClass } from './handler-options';

/** The rewritten cache handler constructions and the ng-isr classes they need. */
export interface CachePlan {
  changes: Change[];
  classes: string[];
  messages: string[];
}

/**
 * `new InMemoryCacheHandler()` becomes `new MemoryCacheHandler()` (bounded by bytes) and
 * `new FileSystemCacheHandler({ cacheFolderPath, prerenderedPagesPath, addPrerenderedPagesToCache })`
 * becomes `new FileSystemCacheHandler({ directory, importPrerendered: { browserDistFolder } })`.
 * Options it cannot map are a reason to stop (returned as a string).
 */
export function planCacheHandlers(tsModule: typeof ts, sourceFile: ts.SourceFile, imports: readonly ForeignImport[]): CachePlan | string {
  const plan: CachePlan = { changes: [], classes: [], messages: [] };
  for (const expression of findDescendants(tsModule, sourceFile, tsModule.isNewExpression)) {
    const oldClass = foreignCacheClass(tsModule, expression, imports);
    if (!oldClass) continue;
    const newClass = CACHE_CLASSES[oldClass]!;
    const [options] = expression.arguments ?? [];
    let argument = '';
    if (oldClass === 'FileSystemCacheHandler') {
      const mapped = fileSystemOptions(tsModule, sourceFile, options);
      if ('reason' in mapped) return mapped.reason;
      argument = mapped.text;
    } else if (options) {
      return `new ${oldClass}(${options.getText(sourceFile)}) has options ng add cannot map`;
    }
    const text = `new ${newClass}(${argument})`;
    if (text !== expression.getText(sourceFile)) {
      plan.changes.push(replaceRange(sourceFile.fileName, sourceFile.text, expression.getStart(sourceFile), expression.getEnd(), text));
    }
    if (!plan.classes.includes(newClass)) plan.classes.push(newClass);
    plan.messages.push(`${oldClass} -> ${newClass} from ng-isr (bounded by bytes; see docs/cache-tiers.md for maxBytes).`);
  }
  return plan;
}

function fileSystemOptions(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  options: ts.Expression | undefined,
): { text: string } | { reason: string } {
  const refuse = (reason: string) => ({ reason: `new FileSystemCacheHandler(...) ${reason}` });
  if (!options || !tsModule.isObjectLiteralExpression(options)) return refuse('is not called with an object literal');
  const known = ['cacheFolderPath', 'prerenderedPagesPath', 'addPrerenderedPagesToCache'];
  const unknown = options.properties
    .map((p) => nameText(tsModule, p.name) ?? p.getText(sourceFile))
    .filter((name) => !known.includes(name));
  if (unknown.length > 0) return refuse(`sets ${unknown.join(', ')}, which ng add cannot map`);
  const read = (name: string) => {
    const property = getObjectProperty(tsModule, options, name);
    return property && propertyValue(tsModule, property);
  };
  const folder = read('cacheFolderPath');
  if (!folder) return refuse('has no cacheFolderPath');
  const entries = [`directory: ${folder.getText(sourceFile)}`];
  const prerendered = read('prerenderedPagesPath');
  if (prerendered && read('addPrerenderedPagesToCache')?.kind === tsModule.SyntaxKind.TrueKeyword) {
    const value = prerendered.getText(sourceFile);
    entries.push(`importPrerendered: { ${value === 'browserDistFolder' ? value : `browserDistFolder: ${value}`} }`);
  }
  return { text: `{ ${entries.join(', ')} }` };
}
