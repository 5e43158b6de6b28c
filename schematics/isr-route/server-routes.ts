import { SchematicsException, Tree } from '@angular-devkit/schematics';
import { Change, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { displayPath, findProperty, namedImportChange, readSourceFile, type TypeScript, unwrapExpression } from './ast-helpers';
import { insertIntoArray, quote } from './array-insert';
import { arrayOfVariable, findRouteObject, routePathOf } from './routes-array';

/** Properties only a prerendered server route may carry (a `Server` route with them does not type-check). */
const PRERENDER_ONLY = ['getPrerenderParams', 'fallback'];

/** The planned edit of `app.routes.server.ts`. */
export interface ServerRouteEditPlan {
  changes: Change[];
  message?: string;
}

/** Finds the `ServerRoute[]` array: a top-level `const` typed `ServerRoute[]`, else `serverRoutes`. */
export function findServerRoutesArray(typescript: TypeScript, source: ts.SourceFile): ts.ArrayLiteralExpression | undefined {
  for (const statement of source.statements.filter(typescript.isVariableStatement)) {
    for (const declaration of statement.declarationList.declarations) {
      const type = declaration.type?.getText(source).replace(/\s/g, '');
      const initializer = declaration.initializer && unwrapExpression(typescript, declaration.initializer);
      if (type === 'ServerRoute[]' && initializer && typescript.isArrayLiteralExpression(initializer)) {
        return initializer;
      }
    }
  }

  return arrayOfVariable(typescript, source, 'serverRoutes');
}

/** The `RenderMode.X` member name a server route object uses, if written that way. */
export function renderModeOf(typescript: TypeScript, route: ts.ObjectLiteralExpression): string | undefined {
  const property = findProperty(typescript, route, 'renderMode');
  const value = property && unwrapExpression(typescript, property.initializer);

  return value && typescript.isPropertyAccessExpression(value) ? value.name.text : undefined;
}

/**
 * Plans the edit that makes `path` render with `RenderMode.Server` (prerendered or client-rendered
 * pages never reach the ISR handler): nothing when an entry for the path, or the `**` entry, already
 * is `Server`; the entry's mode switched when it exists with another mode; otherwise a new entry
 * before `**` (or at the end). Throws, changing nothing, when the entry has prerender-only options.
 */
export function planServerRouteEdit(
  typescript: TypeScript,
  tree: Tree,
  file: string,
  path: string,
  unit: string,
  eol: string,
): ServerRouteEditPlan {
  const source = readSourceFile(typescript, tree, file);
  const array = findServerRoutesArray(typescript, source);
  const entry = `{ path: ${quote(path)}, renderMode: RenderMode.Server }`;
  if (!array) {
    throw new SchematicsException(
      `Could not find the server routes array (ServerRoute[]) in ${displayPath(file)}. Add this entry by hand, ` +
        `before any '**' entry:\n  ${entry}\nor re-run with --skip-server-route.`,
    );
  }
  const existing = findRouteObject(typescript, array, path);
  if (existing) {
    const mode = renderModeOf(typescript, existing);
    if (mode === 'Server') {
      return { changes: [] };
    }
    const blocking = PRERENDER_ONLY.filter((name) => findProperty(typescript, existing, name));
    const renderMode = findProperty(typescript, existing, 'renderMode');
    if (blocking.length > 0 || !renderMode) {
      throw new SchematicsException(
        `The server route '${routePathOf(typescript, existing) ?? path}' in ${displayPath(file)} is not rendered with RenderMode.Server` +
          (blocking.length > 0 ? ` and has prerender-only options (${blocking.join(', ')})` : '') +
          `, so ISR would never see the page. Change it by hand to:\n  ${entry}\nor re-run with --skip-server-route.`,
      );
    }
    const old = renderMode.initializer.getText(source);

    return {
      changes: [
        new ReplaceChange(file, renderMode.initializer.getStart(source), old, 'RenderMode.Server'),
        ...importRenderMode(typescript, source, eol),
      ],
      message: `Server route '${routePathOf(typescript, existing) ?? path}' in ${displayPath(file)} used ${old}; switched it to RenderMode.Server so the page goes through ISR.`,
    };
  }
  const wildcardElement = array.elements.find((element) => routePathOf(typescript, element) === '**');
  const wildcard = wildcardElement && findRouteObject(typescript, array, '**');
  if (wildcard && renderModeOf(typescript, wildcard) === 'Server') {
    return { changes: [] };
  }
  const change = insertIntoArray(
    source,
    array,
    [`path: ${quote(path)}`, 'renderMode: RenderMode.Server'],
    unit,
    eol,
    wildcardElement,
  );

  return { changes: [change, ...importRenderMode(typescript, source, eol)] };
}

function importRenderMode(typescript: TypeScript, source: ts.SourceFile, eol: string): Change[] {
  const change = namedImportChange(typescript, source, 'RenderMode', '@angular/ssr', eol);

  return change ? [change] : [];
}
