import type { Tree } from '@angular-devkit/schematics';
import type * as ts from 'typescript';

/** The TypeScript module: the workspace's own (see `loadTypeScript`), passed to every AST helper. */
export type TypeScript = typeof ts;

/** Parses TypeScript source text (with parent pointers, so nodes can be walked upwards). */
export function parseSource(tsModule: typeof ts, fileName: string, text: string): ts.SourceFile {
  return tsModule.createSourceFile(fileName, text, tsModule.ScriptTarget.Latest, true, tsModule.ScriptKind.TS);
}

/** Parses a file of the tree. */
export function readSourceFile(tsModule: typeof ts, tree: Tree, path: string): ts.SourceFile {
  return parseSource(tsModule, path, tree.readText(path));
}

/** Unwraps `x as T`, `x satisfies T`, `(x)` and `<T>x` down to the expression itself. */
export function unwrapExpression(tsModule: typeof ts, node: ts.Expression): ts.Expression {
  let current = node;
  while (
    tsModule.isAsExpression(current) ||
    tsModule.isSatisfiesExpression(current) ||
    tsModule.isParenthesizedExpression(current) ||
    tsModule.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The text of a string literal or substitution-free template, else `undefined`. */
export function stringValue(tsModule: typeof ts, node: ts.Node | undefined): string | undefined {
  return node && tsModule.isStringLiteralLike(node) ? node.text : undefined;
}

/** Every descendant of `root` (depth first, document order) for which `predicate` holds. */
export function findDescendants<T extends ts.Node>(tsModule: typeof ts, root: ts.Node, predicate: (node: ts.Node) => node is T): T[] {
  const found: T[] = [];
  const visit = (node: ts.Node): void => {
    if (predicate(node)) found.push(node);
    tsModule.forEachChild(node, visit);
  };
  tsModule.forEachChild(root, visit);
  return found;
}

/** The text of a property name / identifier / string literal, or undefined for computed names. */
export function nameText(tsModule: typeof ts, node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (tsModule.isIdentifier(node) || tsModule.isStringLiteralLike(node) || tsModule.isPrivateIdentifier(node)) {
    return node.text;
  }
  return undefined;
}

/** True when `node` is `<object>.<member>(...)` with the given member name (and object identifier). */
export function isMethodCall(
  tsModule: typeof ts,
  node: ts.Node,
  member: string | readonly string[],
  objectName?: string,
): node is ts.CallExpression & { expression: ts.PropertyAccessExpression } {
  if (!tsModule.isCallExpression(node) || !tsModule.isPropertyAccessExpression(node.expression)) return false;
  const members = typeof member === 'string' ? [member] : member;
  if (!members.includes(node.expression.name.text)) return false;
  return objectName === undefined || isIdentifierNamed(tsModule, node.expression.expression, objectName);
}

/** True when `node` is the identifier `name`. */
export function isIdentifierNamed(tsModule: typeof ts, node: ts.Node, name: string): node is ts.Identifier {
  return tsModule.isIdentifier(node) && node.text === name;
}

/** The property `name` of an object literal, if it is a plain or shorthand property. */
export function getObjectProperty(
  tsModule: typeof ts,
  literal: ts.ObjectLiteralExpression,
  name: string,
): ts.PropertyAssignment | ts.ShorthandPropertyAssignment | undefined {
  return literal.properties.find(
    (property): property is ts.PropertyAssignment | ts.ShorthandPropertyAssignment =>
      (tsModule.isPropertyAssignment(property) || tsModule.isShorthandPropertyAssignment(property)) &&
      nameText(tsModule, property.name) === name,
  );
}

/** The value expression of an object property (the name itself for shorthand properties). */
export function propertyValue(tsModule: typeof ts, property: ts.PropertyAssignment | ts.ShorthandPropertyAssignment): ts.Expression {
  return tsModule.isPropertyAssignment(property) ? property.initializer : property.name;
}

/** Names declared by variable statements, functions, classes and imports directly in `statements`. */
export function declaredNames(tsModule: typeof ts, statement: ts.Statement): string[] {
  if (tsModule.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((declaration) => bindingNames(tsModule, declaration.name));
  }
  if ((tsModule.isFunctionDeclaration(statement) || tsModule.isClassDeclaration(statement)) && statement.name) {
    return [statement.name.text];
  }
  if (tsModule.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    const names = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && tsModule.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && tsModule.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
    return names;
  }
  return [];
}

function bindingNames(tsModule: typeof ts, name: ts.BindingName): string[] {
  if (tsModule.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (tsModule.isOmittedExpression(element) ? [] : bindingNames(tsModule, element.name)));
}

/** Identifiers read by an expression (property names and object keys excluded). */
export function referencedIdentifiers(tsModule: typeof ts, expression: ts.Node): string[] {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (tsModule.isIdentifier(node)) {
      const parent = node.parent;
      const isMemberName = parent && tsModule.isPropertyAccessExpression(parent) && parent.name === node;
      const isKey = parent && tsModule.isPropertyAssignment(parent) && parent.name === node;
      if (!isMemberName && !isKey) names.add(node.text);
    }
    tsModule.forEachChild(node, visit);
  };
  visit(expression);
  return [...names];
}
