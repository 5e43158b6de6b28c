import { SchematicsException } from '@angular-devkit/schematics';
import { Change, InsertChange, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { stringValue } from './ast-search';
import { CodeStyle, quoted } from './code-style';

/** The local name under which `name` is imported from `moduleName`, if it is. */
export function findNamedImport(tsModule: typeof ts, sourceFile: ts.SourceFile, moduleName: string, name: string): string | undefined {
  for (const statement of importsOf(tsModule, sourceFile)) {
    const bindings = statement.importClause?.namedBindings;
    if (stringValue(tsModule, statement.moduleSpecifier) !== moduleName || !bindings || !tsModule.isNamedImports(bindings)) {
      continue;
    }
    const element = bindings.elements.find((e) => (e.propertyName ?? e.name).text === name);
    if (element) return element.name.text;
  }
  return undefined;
}

/**
 * The change that makes `name` available from `moduleName` (a default import when `isDefault`):
 * extends an existing named import of that module, or adds an import statement after the file's
 * last import, in the file's quotes and semicolons, as the Angular CLI does. No change when the name
 * is imported already. Written against the workspace's TypeScript instead of `insertImport` from
 * `@schematics/angular/utility/ast-utils`, which walks nodes with its own TypeScript's `SyntaxKind`s.
 * @throws SchematicsException when the file imports another `name` from another module.
 */
export function addNamedImport(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  moduleName: string,
  name: string,
  isDefault = false,
): Change | undefined {
  const path = sourceFile.fileName;
  if (!isDefault && findNamedImport(tsModule, sourceFile, moduleName, name)) return undefined;
  const imports = importsOf(tsModule, sourceFile);
  for (const declaration of imports) {
    if (!localNames(tsModule, declaration).includes(name)) continue;
    const from = stringValue(tsModule, declaration.moduleSpecifier);
    if (from === moduleName) return undefined;
    throw new SchematicsException(
      `${path.replace(/^\//, '')} already imports a different "${name}" from "${from}". ` +
        `Rename one of them, then add the import from "${moduleName}" by hand.`,
    );
  }
  const existing = isDefault
    ? undefined
    : imports.find(
        (statement) =>
          stringValue(tsModule, statement.moduleSpecifier) === moduleName &&
          !statement.importClause?.isTypeOnly &&
          !!statement.importClause?.namedBindings &&
          tsModule.isNamedImports(statement.importClause.namedBindings),
      );
  if (existing) {
    const named = existing.importClause!.namedBindings as ts.NamedImports;
    const last = named.elements[named.elements.length - 1];
    return last
      ? new InsertChange(path, last.getEnd(), `, ${name}`)
      : new ReplaceChange(path, named.getStart(sourceFile), named.getText(sourceFile), `{ ${name} }`);
  }
  const binding = isDefault ? name : `{ ${name} }`;
  const statement = `import ${binding} from ${quoted(style, moduleName)}${style.semicolon}`;
  const lastImport = imports[imports.length - 1];
  if (lastImport) return new InsertChange(path, lastImport.getEnd(), `${style.newline}${statement}`);
  return new InsertChange(path, 0, `${statement}${style.newline}${style.newline}`);
}

function importsOf(tsModule: typeof ts, sourceFile: ts.SourceFile): ts.ImportDeclaration[] {
  return sourceFile.statements.filter(tsModule.isImportDeclaration);
}

function localNames(tsModule: typeof ts, declaration: ts.ImportDeclaration): string[] {
  const clause = declaration.importClause;
  const names = clause?.name ? [clause.name.text] : [];
  const bindings = clause?.namedBindings;
  if (bindings && tsModule.isNamedImports(bindings)) names.push(...bindings.elements.map((element) => element.name.text));
  return names;
}
