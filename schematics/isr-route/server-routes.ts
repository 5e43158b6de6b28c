import { SchematicsException, Tree } from '@angular-devkit/schematics';
import { Change, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { insertIntoArray } from '../utils/array-edits';
import { type TypeScript, getObjectProperty, propertyValue, readSourceFile, unwrapExpression } from '../utils/ast-search';
import { CodeStyle, detectCodeStyle, quoted } from '../utils/code-style';
import { addNamedImport } from '../utils/import-edits';
import { displayPath } from '../utils/ssr-project';
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
  const property = getObjectProperty(typescript, route, 'renderMode');
  const value = property && unwrapExpression(typescript, propertyValue(typescript, property));

  return value && typescript.isPropertyAccessExpression(value) ? value.name.text : undefined;
}

/**
 * Plans the edit that makes `path` render with `RenderMode.Server` (prerendered or client-rendered
 * pages never reach the ISR handler): nothing when an entry for the path, or the `**` entry, already
 * is `Server`; the entry's mode switched when it exists with another mode; otherwise a new entry
 * before `**` (or at the end). Throws, changing nothing, when the entry has prerender-only options.
 */
export function planServerRouteEdit(typescript: TypeScript, tree: Tree, file: string, path: string): ServerRouteEditPlan {
  const source = readSourceFile(typescript, tree, file);
  const style = detectCodeStyle(typescript, source);
  const array = findServerRoutesArray(typescript, source);
  const entry = `{ path: ${quoted(style, path)}, renderMode: RenderMode.Server }`;
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
    const blocking = PRERENDER_ONLY.filter((name) => getObjectProperty(typescript, existing, name));
    const renderMode = getObjectProperty(typescript, existing, 'renderMode');
    if (blocking.length > 0 || !renderMode || !typescript.isPropertyAssignment(renderMode)) {
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
        ...importRenderMode(typescript, source, style),
      ],
      message: `Server route '${routePathOf(typescript, existing) ?? path}' in ${displayPath(file)} used ${old}; switched it to RenderMode.Server so the page goes through ISR.`,
    };
  }
  const wildcardElement = array.elements.find((element) => routePathOf(typescript, element) === '**');
  const wildcard = wildcardElement && findRouteObject(typescript, array, '**');
  if (wildcard && renderModeOf(typescript, wildcard) === 'Server') {
    return { changes: [] };
  }
  const properties = [`path: ${quoted(style, path)}`, 'renderMode: RenderMode.Server'];
  const change = insertIntoArray(source, style, array, properties, wildcardElement);

  return { changes: [change, ...importRenderMode(typescript, source, style)] };
}

function importRenderMode(typescript: TypeScript, source: ts.SourceFile, style: CodeStyle): Change[] {
  const change = addNamedImport(typescript, source, style, '@angular/ssr', 'RenderMode');

  return change ? [change] : [];
}
