import { SchematicsException, Tree } from '@angular-devkit/schematics';
import { Change, InsertChange, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { lineIndentAt } from '../utils/code-style';

/** The TypeScript module: the workspace's own (see `loadTypeScript`), passed to every AST helper. */
export type TypeScript = typeof ts;

/** Parses a file of the tree with the given TypeScript (throws a readable error when it is missing). */
export function readSourceFile(typescript: TypeScript, tree: Tree, path: string): ts.SourceFile {
  const text = tree.readText(path);

  return typescript.createSourceFile(path, text, typescript.ScriptTarget.Latest, true, typescript.ScriptKind.TS);
}

/** Unwraps `x as T`, `x satisfies T`, `(x)` and `<T>x` down to the expression itself. */
export function unwrapExpression(typescript: TypeScript, node: ts.Expression): ts.Expression {
  let current = node;
  while (
    typescript.isAsExpression(current) ||
    typescript.isSatisfiesExpression(current) ||
    typescript.isParenthesizedExpression(current) ||
    typescript.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }

  return current;
}

/** The text of a string literal or substitution-free template, else `undefined`. */
export function stringValue(typescript: TypeScript, node: ts.Node | undefined): string | undefined {
  return node && (typescript.isStringLiteral(node) || typescript.isNoSubstitutionTemplateLiteral(node))
    ? node.text
    : undefined;
}

/** The `name: value` assignment of an object literal, matched by its (identifier or string) key. */
export function findProperty(
  typescript: TypeScript,
  object: ts.ObjectLiteralExpression,
  name: string,
): ts.PropertyAssignment | undefined {
  return object.properties.find(
    (property): property is ts.PropertyAssignment =>
      typescript.isPropertyAssignment(property) &&
      (typescript.isIdentifier(property.name) || typescript.isStringLiteral(property.name)) &&
      property.name.text === name,
  );
}

/** Whether two positions of a file sit on the same line. */
export function sameLine(source: ts.SourceFile, a: number, b: number): boolean {
  return source.getLineAndCharacterOfPosition(a).line === source.getLineAndCharacterOfPosition(b).line;
}

/** The indentation unit the file uses: a tab, or its smallest space indent (2 or 4; CLI output uses 2). */
export function indentUnit(text: string): string {
  const indents = text
    .split(/\r?\n/)
    .filter((line) => /^[ \t]+[^\s*]/.test(line))
    .map((line) => /^[ \t]+/.exec(line)?.[0] ?? '');
  if (indents.some((indent) => indent.startsWith('\t'))) {
    return '\t';
  }
  const smallest = Math.min(...indents.map((indent) => indent.length));

  return smallest === 4 ? '    ' : '  ';
}

/** The change that adds `texts` (`key: value` properties) at the end of an object literal. */
export function appendPropertiesChange(
  source: ts.SourceFile,
  object: ts.ObjectLiteralExpression,
  texts: string[],
  eol: string,
): Change {
  const properties = object.properties;
  const path = source.fileName;
  if (properties.length === 0) {
    return new ReplaceChange(path, object.getStart(source), object.getText(source), `{ ${texts.join(', ')} }`);
  }
  const last = properties[properties.length - 1];
  if (sameLine(source, object.getStart(source), last.getStart(source))) {
    return new InsertChange(path, last.getEnd(), texts.map((text) => `, ${text}`).join(''));
  }
  const indent = lineIndentAt(source.text, last.getStart(source));

  return new InsertChange(path, last.getEnd(), texts.map((text) => `,${eol}${indent}${text}`).join(''));
}

/**
 * The change that imports `symbol` from `moduleSpecifier` (none when already imported).
 * Written against the workspace's TypeScript instead of `insertImport` from
 * `@schematics/angular/utility/ast-utils`, which walks nodes with its own bundled TypeScript's
 * `SyntaxKind` numbers (gone in v22, and not guaranteed to match the project's version).
 */
export function namedImportChange(
  typescript: TypeScript,
  source: ts.SourceFile,
  symbol: string,
  moduleSpecifier: string,
  eol: string,
  isDefault = false,
): Change | undefined {
  const imports = source.statements.filter(typescript.isImportDeclaration);
  for (const declaration of imports) {
    const clause = declaration.importClause;
    if (!clause) {
      continue;
    }
    const from = stringValue(typescript, declaration.moduleSpecifier);
    const names: string[] = [];
    if (clause.name) {
      names.push(clause.name.text);
    }
    if (clause.namedBindings && typescript.isNamedImports(clause.namedBindings)) {
      names.push(...clause.namedBindings.elements.map((element) => element.name.text));
    }
    if (names.includes(symbol)) {
      if (from === moduleSpecifier) {
        return undefined;
      }
      throw new SchematicsException(
        `${source.fileName} already imports a different "${symbol}" from "${from}". ` +
          `Rename one of them, then add the import from "${moduleSpecifier}" by hand.`,
      );
    }
  }
  const existing = imports.find(
    (declaration) =>
      stringValue(typescript, declaration.moduleSpecifier) === moduleSpecifier &&
      !declaration.importClause?.isTypeOnly &&
      declaration.importClause?.namedBindings &&
      typescript.isNamedImports(declaration.importClause.namedBindings),
  );
  if (existing && !isDefault) {
    const named = existing.importClause?.namedBindings as ts.NamedImports;
    const last = named.elements[named.elements.length - 1];

    return last
      ? new InsertChange(source.fileName, last.getEnd(), `, ${symbol}`)
      : new ReplaceChange(source.fileName, named.getStart(source), named.getText(source), `{ ${symbol} }`);
  }
  const statement = isDefault
    ? `import ${symbol} from '${moduleSpecifier}';`
    : `import { ${symbol} } from '${moduleSpecifier}';`;
  const lastImport = imports[imports.length - 1];

  return lastImport
    ? new InsertChange(source.fileName, lastImport.getEnd(), `${eol}${statement}`)
    : new InsertChange(source.fileName, 0, `${statement}${eol}${eol}`);
}

/** A tree path as the CLI prints it (relative to the workspace root). */
export function displayPath(path: string): string {
  return path.replace(/^\//, '');
}
