import { SchematicsException } from '@angular-devkit/schematics';
import { Change, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { appendPropertiesChange, displayPath, findProperty, namedImportChange, type TypeScript, unwrapExpression } from './ast-helpers';
import { ObjectProperties, insertIntoArray, printObject, quote } from './array-insert';
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
  outcome: 'added' | 'updated' | 'unchanged';
  message?: string;
}

/** `{ revalidate: 60, isrTags: ['posts'] }` */
export function printRouteData(revalidate: number, tags?: string[]): string {
  const entries = [`revalidate: ${revalidate}`];
  if (tags && tags.length > 0) {
    entries.push(`isrTags: ${printTags(tags)}`);
  }

  return `{ ${entries.join(', ')} }`;
}

function printTags(tags: string[]): string {
  return `[${tags.map(quote).join(', ')}]`;
}

/** The properties of a new route, in the order the Angular docs write them. */
export function routeProperties(spec: IsrRouteSpec): ObjectProperties {
  const properties = [`path: ${quote(spec.path)}`];
  const component = spec.component;
  if (component && spec.lazy) {
    const load = component.isDefault
      ? `import('${component.importPath}')`
      : `import('${component.importPath}').then(m => m.${component.className})`;
    properties.push(`loadComponent: () => ${load}`);
  } else if (component) {
    properties.push(`component: ${component.className}`);
  }
  properties.push(`data: ${printRouteData(spec.revalidate, spec.tags)}`);

  return properties;
}

/**
 * Plans the routes-file edit: a new route (with its import when eager) before a top-level `**`
 * route or at the end, or, when a route with the same path exists, its `data.revalidate` (and
 * `data.isrTags` when tags are given) set in place.
 */
export function planRouteEdit(
  typescript: TypeScript,
  routes: RoutesArray,
  spec: IsrRouteSpec,
  unit: string,
  eol: string,
): RouteEditPlan {
  const { source, array } = routes;
  const existing = findRouteObject(typescript, array, spec.path);
  if (existing) {
    return planUpdate(typescript, source, existing, spec, eol);
  }
  const wildcard = array.elements.find((element) => routePathOf(typescript, element) === '**');
  const changes = [insertIntoArray(source, array, routeProperties(spec), unit, eol, wildcard)];
  if (spec.component && !spec.lazy) {
    const importChange = namedImportChange(
      typescript,
      source,
      spec.component.className,
      spec.component.importPath,
      eol,
      spec.component.isDefault,
    );
    if (importChange) {
      changes.push(importChange);
    }
  }

  return { changes, outcome: 'added' };
}

function planUpdate(
  typescript: TypeScript,
  source: ts.SourceFile,
  route: ts.ObjectLiteralExpression,
  spec: IsrRouteSpec,
  eol: string,
): RouteEditPlan {
  const existingPath = routePathOf(typescript, route) ?? spec.path;
  const where =
    existingPath === spec.path
      ? `Route '${spec.path}' already exists in ${displayPath(source.fileName)}`
      : `Route '${existingPath}' (the same page as '${spec.path}') already exists in ${displayPath(source.fileName)}`;
  const dataProperty = findProperty(typescript, route, 'data');
  if (!dataProperty) {
    return {
      changes: [appendPropertiesChange(source, route, [`data: ${printRouteData(spec.revalidate, spec.tags)}`], eol)],
      outcome: 'updated',
      message: `${where}; added data: ${printRouteData(spec.revalidate, spec.tags)}.`,
    };
  }
  const data = unwrapExpression(typescript, dataProperty.initializer);
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
    wanted.push(['isrTags', printTags(spec.tags)]);
  }
  for (const [key, value] of wanted) {
    const property = findProperty(typescript, data, key);
    if (!property) {
      missing.push(`${key}: ${value}`);
      notes.push(`${key}: ${value}`);
    } else if (property.initializer.getText(source) !== value) {
      const old = property.initializer.getText(source);
      changes.push(new ReplaceChange(source.fileName, property.initializer.getStart(source), old, value));
      notes.push(`${key}: ${old} -> ${value}`);
    }
  }
  if (missing.length > 0) {
    changes.push(appendPropertiesChange(source, data, missing, eol));
  }
  if (changes.length === 0) {
    const has = wanted.map(([key, value]) => `${key}: ${value}`).join(', ');

    return { changes, outcome: 'unchanged', message: `${where} and already has ${has}; nothing to change.` };
  }

  return { changes, outcome: 'updated', message: `${where}; updated its data (${notes.join(', ')}) instead of adding a duplicate.` };
}

/** The route as the user would add it by hand (printed when the routes file cannot be edited). */
export function routeByHand(spec: IsrRouteSpec): string {
  return printObject(routeProperties(spec), '', '  ', '\n');
}
