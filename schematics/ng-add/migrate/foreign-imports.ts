import type * as ts from 'typescript';
import { stringValue } from '../../utils/ast-search';
import { lineEnd } from '../../utils/code-style';
import { replaceRange } from '../../utils/changes';
import type { Change } from '@schematics/angular/utility/change';

/** The ISR libraries `ng add` migrates from: `@rx-angular/isr` and its former name `ngx-isr`. */
export const FOREIGN_ISR_PACKAGES = ['@rx-angular/isr', 'ngx-isr'] as const;

/** Marks what ng add left for the user; `ng add` lists every such line with its file and line number. */
export const TODO_MARK = 'TODO(ng-isr):';

/** An import declaration from one of {@link FOREIGN_ISR_PACKAGES} (any entry point: `/server`, `/models`, `/browser`). */
export interface ForeignImport {
  declaration: ts.ImportDeclaration;
  /** The package name (`@rx-angular/isr` or `ngx-isr`). */
  packageName: string;
  /** Local name -> imported name. */
  names: Map<string, string>;
}

/** The package of a module specifier when it is one of the foreign ISR packages. */
export function foreignPackageOf(specifier: string | undefined): string | undefined {
  return FOREIGN_ISR_PACKAGES.find((name) => specifier === name || specifier?.startsWith(`${name}/`));
}

/** Every import of the file from a foreign ISR package. */
export function findForeignImports(tsModule: typeof ts, sourceFile: ts.SourceFile): ForeignImport[] {
  return sourceFile.statements.filter(tsModule.isImportDeclaration).flatMap((declaration) => {
    const packageName = foreignPackageOf(stringValue(tsModule, declaration.moduleSpecifier));
    if (!packageName) return [];
    const names = new Map<string, string>();
    const bindings = declaration.importClause?.namedBindings;
    if (bindings && tsModule.isNamedImports(bindings)) {
      for (const element of bindings.elements) names.set(element.name.text, (element.propertyName ?? element.name).text);
    }
    return [{ declaration, packageName, names }];
  });
}

/** The local name of `imported` among the foreign imports. */
export function foreignLocalName(imports: readonly ForeignImport[], imported: string): string | undefined {
  for (const entry of imports) {
    for (const [local, name] of entry.names) if (name === imported) return local;
  }
  return undefined;
}

/**
 * The change that removes whole statement lines (`statement` to `last`), and the blank line after it when one
 * precedes it too (so that no double blank line is left).
 */
export function removeStatementLines(sourceFile: ts.SourceFile, statement: ts.Node, last: ts.Node = statement): Change {
  const text = sourceFile.text;
  const from = text.lastIndexOf('\n', statement.getStart(sourceFile) - 1) + 1;
  let to = Math.min(lineEnd(text, last.getEnd()) + 1, text.length);
  const blankBefore = /(^|\n)[ \t]*\r?\n$/.test(text.slice(0, from));
  const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(to));
  if (blankBefore && blankAfter) to += blankAfter[0].length;
  return replaceRange(sourceFile.fileName, text, from, to, '');
}

/** `text` as `// ` comment lines at `indent` (each of its lines), under a `// TODO(ng-isr): why` line. */
export function commentedOut(why: string, text: string, indent: string, newline: string): string {
  const lines = text.split(/\r?\n/).map((line, index) => (index === 0 ? line : line.replace(new RegExp(`^${indent}`), '')));
  return [`// ${TODO_MARK} ${why}`, ...lines.map((line) => `// ${line}`)].map((line) => indent + line).join(newline);
}

/** `file:line: text` for every `TODO(ng-isr):` comment of a file (1-based lines). */
export function todoLines(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    const at = line.indexOf(TODO_MARK);
    return at < 0 ? [] : [`${path.replace(/^\//, '')}:${index + 1}: ${line.slice(at + TODO_MARK.length).trim()}`];
  });
}
