import { SchematicsException } from '@angular-devkit/schematics';
import { Change, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { ObjectProperties, appendProperties, insertIntoArray, printObject } from '../utils/array-edits';
import { type TypeScript, getObjectProperty, propertyValue, unwrapExpression } from '../utils/ast-search';
import { CodeStyle, quoted } from '../utils/code-style';
import { addNamedImport } from '../utils/import-edits';
import { displayPath } from '../utils/ssr-project';
import { RoutesArray, findRouteObject, routePathOf } from './routes-array';

/** The component a new route points to. */
export interface RouteComponent {
  className: string;
  /** Module specifier relative to the routes file, without extension (`./blog-slug/blog-slug`). */
  importPath: string;
  isDefault: boolean;
}

/** What the route must carry. */
export interface IsrRouteSpec {
  path: string;
  revalidate: number;
  tags?: string[];
  lazy: boolean;
  component?: RouteComponent;
}

/** The edits to make to the routes file and a sentence for the log when it is not a plain addition. */
export interface RouteEditPlan {
  changes: Change[];
  message?: string;
}

/** `{ revalidate: 60, isrTags: ['posts'] }` */
export function printRouteData(style: CodeStyle, revalidate: number, tags?: string[]): string {
  const entries = [`revalidate: ${revalidate}`];
  if (tags && tags.length > 0) {
    entries.push(`isrTags: ${printTags(style, tags)}`);
  }

  return `{ ${entries.join(', ')} }`;
}

function printTags(style: CodeStyle, tags: string[]): string {
  return `[${tags.map((tag) => quoted(style, tag)).join(', ')}]`;
}

/** The properties of a new route, in the order the Angular docs write them. */
export function routeProperties(style: CodeStyle, spec: IsrRouteSpec): ObjectProperties {
  const properties = [`path: ${quoted(style, spec.path)}`];
  const component = spec.component;
  if (component && spec.lazy) {
    const load = component.isDefault
      ? `import(${quoted(style, component.importPath)})`
      : `import(${quoted(style, component.importPath)}).then(m => m.${component.className})`;
    properties.push(`loadComponent: () => ${load}`);
  } else if (component) {
    properties.push(`component: ${component.className}`);
  }
  properties.push(`data: ${printRouteData(style, spec.revalidate, spec.tags)}`);

  return properties;
}

/**
 * Plans the routes-file edit: a new route (with its import when eager) before a top-level `**`
 * route or at the end, or, when a route with the same path exists, its `data.revalidate` (and
 * `data.isrTags` when tags are given) set in place.
 */
export function planRouteEdit(typescript: TypeScript, routes: RoutesArray, spec: IsrRouteSpec, style: CodeStyle): RouteEditPlan {
  const { source, array } = routes;
  const existing = findRouteObject(typescript, array, spec.path);
  if (existing) {
    return planUpdate(typescript, source, existing, spec, style);
  }
  const wildcard = array.elements.find((element) => routePathOf(typescript, element) === '**');
  const changes = [insertIntoArray(source, style, array, routeProperties(style, spec), wildcard)];
  if (spec.component && !spec.lazy) {
    const { className, importPath, isDefault } = spec.component;
    const importChange = addNamedImport(typescript, source, style, importPath, className, isDefault);
    if (importChange) {
      changes.push(importChange);
    }
  }

  return { changes };
}

function planUpdate(
  typescript: TypeScript,
  source: ts.SourceFile,
  route: ts.ObjectLiteralExpression,
  spec: IsrRouteSpec,
  style: CodeStyle,
): RouteEditPlan {
  const existingPath = routePathOf(typescript, route) ?? spec.path;
  const where =
    existingPath === spec.path
      ? `Route '${spec.path}' already exists in ${displayPath(source.fileName)}`
      : `Route '${existingPath}' (the same page as '${spec.path}') already exists in ${displayPath(source.fileName)}`;
  const routeData = printRouteData(style, spec.revalidate, spec.tags);
  const dataProperty = getObjectProperty(typescript, route, 'data');
  if (!dataProperty) {
    return {
      changes: [appendProperties(source, style, route, [`data: ${routeData}`])],
      message: `${where}; added data: ${routeData}.`,
    };
  }
  const data = unwrapExpression(typescript, propertyValue(typescript, dataProperty));
  if (!typescript.isObjectLiteralExpression(data)) {
    throw new SchematicsException(
      `${where}, and its "data" is not an object literal, so it cannot be edited safely. ` +
        `Add "revalidate: ${spec.revalidate}" to that route's data by hand.`,
    );
  }
  const changes: Change[] = [];
  const missing: string[] = [];
  const notes: string[] = [];
  const wanted: Array<[string, string]> = [['revalidate', String(spec.revalidate)]];
  if (spec.tags) {
    wanted.push(['isrTags', printTags(style, spec.tags)]);
  }
  for (const [key, value] of wanted) {
    const property = getObjectProperty(typescript, data, key);
    const old = property && propertyValue(typescript, property).getText(source);
    if (!property) {
      missing.push(`${key}: ${value}`);
      notes.push(`${key}: ${value}`);
    } else if (typescript.isShorthandPropertyAssignment(property)) {
      // `{ revalidate }`: the value is a variable; the property is written out with the new value.
      changes.push(new ReplaceChange(source.fileName, property.getStart(source), property.getText(source), `${key}: ${value}`));
      notes.push(`${key}: ${old} -> ${value}`);
    } else if (old !== value) {
      changes.push(new ReplaceChange(source.fileName, property.initializer.getStart(source), old!, value));
      notes.push(`${key}: ${old} -> ${value}`);
    }
  }
  if (missing.length > 0) {
    changes.push(appendProperties(source, style, data, missing));
  }
  if (changes.length === 0) {
    const has = wanted.map(([key, value]) => `${key}: ${value}`).join(', ');

    return { changes, message: `${where} and already has ${has}; nothing to change.` };
  }

  return { changes, message: `${where}; updated its data (${notes.join(', ')}) instead of adding a duplicate.` };
}

/** The route as the user would add it by hand (printed when the routes file cannot be edited). */
export function routeByHand(style: CodeStyle, spec: IsrRouteSpec): string {
  return printObject(routeProperties(style, spec), '', style);
}
