import type * as ts from 'typescript';
import { CodeStyle, quoted } from './code-style';
import { TextEdit, insertAt } from './text-edits';

/** The local name under which `name` is imported from `moduleName`, if it is. */
export function findNamedImport(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  moduleName: string,
  name: string,
): string | undefined {
  for (const statement of sourceFile.statements) {
    if (!isImportFrom(tsModule, statement, moduleName)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !tsModule.isNamedImports(bindings)) continue;
    const element = bindings.elements.find((e) => (e.propertyName ?? e.name).text === name);
    if (element) return element.name.text;
  }
  return undefined;
}

/**
 * The edit that makes `import { name } from 'moduleName'` available: extends an existing named
 * import of that module, or adds an import statement after the file's last import, as the Angular
 * CLI does. Returns no edit when the name is imported already.
 */
export function addNamedImport(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  moduleName: string,
  name: string,
): TextEdit | undefined {
  if (findNamedImport(tsModule, sourceFile, moduleName, name)) return undefined;
  const existing = sourceFile.statements.find(
    (statement): statement is ts.ImportDeclaration =>
      isImportFrom(tsModule, statement, moduleName) &&
      !statement.importClause?.isTypeOnly &&
      !!statement.importClause?.namedBindings &&
      tsModule.isNamedImports(statement.importClause.namedBindings),
  );
  if (existing) {
    const elements = (existing.importClause!.namedBindings as ts.NamedImports).elements;
    const last = elements[elements.length - 1];
    if (last) return insertAt(last.getEnd(), `, ${name}`);
  }
  const statement = `import { ${name} } from ${quoted(style, moduleName)}${style.semicolon}`;
  const imports = sourceFile.statements.filter(tsModule.isImportDeclaration);
  const lastImport = imports[imports.length - 1];
  if (lastImport) return insertAt(lastImport.getEnd(), `${style.newline}${statement}`);
  return insertAt(0, `${statement}${style.newline}${style.newline}`);
}

function isImportFrom(tsModule: typeof ts, statement: ts.Statement, moduleName: string): statement is ts.ImportDeclaration {
  return (
    tsModule.isImportDeclaration(statement) &&
    tsModule.isStringLiteral(statement.moduleSpecifier) &&
    statement.moduleSpecifier.text === moduleName
  );
}
