import { Tree } from '@angular-devkit/schematics';
import { dirname, join } from 'node:path/posix';
import type * as ts from 'typescript';
import { routeShape } from './route-path';
import { getObjectProperty, propertyValue, readSourceFile, stringValue, type TypeScript, unwrapExpression } from '../utils/ast-search';

/** Where the app's top-level routes live: the file and its array literal. */
export interface RoutesArray {
  path: string;
  source: ts.SourceFile;
  array: ts.ArrayLiteralExpression;
}

/** Files searched (in `<sourceRoot>/app/`) when `--routes-file` is not given: standalone first, then NgModule. */
export const ROUTES_FILE_CANDIDATES = [
  'app.routes.ts',
  'app-routing-module.ts',
  'app-routing.module.ts',
  'app-module.ts',
  'app.module.ts',
  'app.config.ts',
];

const ROUTER_CALLS = new Set(['forRoot', 'provideRouter']);

type Lookup = { array: ts.ArrayLiteralExpression } | { importedName: string; from: string } | undefined;

/**
 * Finds the top-level routes array of a file: the argument of `RouterModule.forRoot(…)` or
 * `provideRouter(…)` (inline, or the `const` it names), else a top-level `const` typed `Routes` /
 * `Route[]`, else a `const routes = [...]`. A `routes` imported from a relative file is followed once.
 */
export function findRoutesArray(typescript: TypeScript, tree: Tree, path: string): RoutesArray | undefined {
  const source = readSourceFile(typescript, tree, path);
  const found = lookUp(typescript, source);
  if (found && 'array' in found) {
    return { path, source, array: found.array };
  }
  if (found && found.from.startsWith('.')) {
    const target = join(dirname(path), found.from.replace(/\.ts$/, '') + '.ts');
    if (tree.exists(target)) {
      const imported = readSourceFile(typescript, tree, target);
      const array = arrayOfVariable(typescript, imported, found.importedName);

      return array ? { path: target, source: imported, array } : undefined;
    }
  }

  return undefined;
}

function lookUp(typescript: TypeScript, source: ts.SourceFile): Lookup {
  let argument: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (argument) {
      return;
    }
    if (typescript.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      const name = typescript.isPropertyAccessExpression(callee)
        ? typescript.isIdentifier(callee.expression) && callee.expression.text === 'RouterModule'
          ? callee.name.text
          : undefined
        : typescript.isIdentifier(callee)
          ? callee.text
          : undefined;
      if (name && ROUTER_CALLS.has(name)) {
        argument = unwrapExpression(typescript, node.arguments[0]);

        return;
      }
    }
    typescript.forEachChild(node, visit);
  };
  visit(source);

  if (argument && typescript.isArrayLiteralExpression(argument)) {
    return { array: argument };
  }
  if (argument && typescript.isIdentifier(argument)) {
    const array = arrayOfVariable(typescript, source, argument.text);
    if (array) {
      return { array };
    }
    const from = importSourceOf(typescript, source, argument.text);

    return from ? { importedName: from.importedName, from: from.module } : undefined;
  }
  if (argument) {
    return undefined;
  }
  for (const declaration of topLevelVariables(typescript, source)) {
    const type = declaration.type?.getText(source).replace(/\s/g, '');
    const array = arrayInitializer(typescript, declaration);
    if (array && (type === 'Routes' || type === 'Route[]')) {
      return { array };
    }
  }
  const routes = arrayOfVariable(typescript, source, 'routes');

  return routes ? { array: routes } : undefined;
}

function topLevelVariables(typescript: TypeScript, source: ts.SourceFile): ts.VariableDeclaration[] {
  return source.statements.filter(typescript.isVariableStatement).flatMap((statement) => [...statement.declarationList.declarations]);
}

function arrayInitializer(typescript: TypeScript, declaration: ts.VariableDeclaration): ts.ArrayLiteralExpression | undefined {
  const initializer = declaration.initializer && unwrapExpression(typescript, declaration.initializer);

  return initializer && typescript.isArrayLiteralExpression(initializer) ? initializer : undefined;
}

/** The array literal a top-level `const name = [...]` is initialised with. */
export function arrayOfVariable(typescript: TypeScript, source: ts.SourceFile, name: string): ts.ArrayLiteralExpression | undefined {
  const declaration = topLevelVariables(typescript, source).find(
    (candidate) => typescript.isIdentifier(candidate.name) && candidate.name.text === name,
  );

  return declaration && arrayInitializer(typescript, declaration);
}

function importSourceOf(
  typescript: TypeScript,
  source: ts.SourceFile,
  localName: string,
): { importedName: string; module: string } | undefined {
  for (const statement of source.statements.filter(typescript.isImportDeclaration)) {
    const bindings = statement.importClause?.namedBindings;
    const module = stringValue(typescript, statement.moduleSpecifier);
    if (!module || !bindings || !typescript.isNamedImports(bindings)) {
      continue;
    }
    const element = bindings.elements.find((candidate) => candidate.name.text === localName);
    if (element) {
      return { importedName: (element.propertyName ?? element.name).text, module };
    }
  }

  return undefined;
}

/** The path of a route object literal (`path: '…'`), if it is a plain string. */
export function routePathOf(typescript: TypeScript, element: ts.Expression): string | undefined {
  const node = unwrapExpression(typescript, element);
  if (!typescript.isObjectLiteralExpression(node)) {
    return undefined;
  }
  const property = getObjectProperty(typescript, node, 'path');

  return property && stringValue(typescript, propertyValue(typescript, property));
}

/**
 * The top-level route object for the same page as `path`: its path is equal, or has the same
 * shape with other parameter names (`blog/:id` for `blog/:slug`; the router would never reach a
 * second route of that shape). `**` only matches `**`.
 */
export function findRouteObject(
  typescript: TypeScript,
  array: ts.ArrayLiteralExpression,
  path: string,
): ts.ObjectLiteralExpression | undefined {
  const paths = array.elements.map((element) => routePathOf(typescript, element));
  let index = paths.indexOf(path);
  if (index < 0 && path !== '**') {
    index = paths.findIndex((candidate) => candidate !== undefined && candidate !== '**' && routeShape(candidate) === routeShape(path));
  }

  return index < 0 ? undefined : (unwrapExpression(typescript, array.elements[index]) as ts.ObjectLiteralExpression);
}
