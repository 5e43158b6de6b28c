import { Rule, SchematicContext, SchematicsException, Tree, chain, externalSchematic, strings } from '@angular-devkit/schematics';
import { readWorkspace } from '@schematics/angular/utility';
import { Change, applyToUpdateRecorder } from '@schematics/angular/utility/change';
import { getEOL } from '@schematics/angular/utility/eol';
import { buildDefaultPath } from '@schematics/angular/utility/workspace';
import { join } from 'node:path/posix';
import { indentUnit, type TypeScript } from './ast-helpers';
import { findGeneratedComponent, generatedComponentFolder, resolveExistingComponent } from './component-target';
import { assertIsrSetUp, assertSsrProject, prerendersDiscoveredRoutes } from './isr-setup';
import { IsrRouteSpec, RouteComponent, planRouteEdit, routeByHand } from './route-edit';
import { componentNameFromPath, normalizeRoutePath, validateRevalidate, validateTags } from './route-path';
import { ROUTES_FILE_CANDIDATES, RoutesArray, findRouteObject, findRoutesArray } from './routes-array';
import { planServerRouteEdit } from './server-routes';
import type { Schema } from './schema';
import { loadTypeScript } from '../utils/typescript-loader';

/** The default server routes file (Angular 19+ server routing) inside `<sourceRoot>/app/`. */
export const SERVER_ROUTES_FILE = 'app.routes.server.ts';

/**
 * `ng generate ng-isr:isr-route <path> --revalidate N`: adds (or updates) a route with
 * `data: { revalidate: N, isrTags? }`, generating its standalone component unless one is given,
 * and makes the path render with `RenderMode.Server`. The checks run before the first edit where
 * the inputs allow it; every refusal throws, and the CLI commits nothing from a run that throws.
 */
export function isrRoute(options: Schema): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const typescript = loadTypeScript();
    const path = normalizeRoutePath(options.path);
    const revalidate = validateRevalidate(options.revalidate);
    const tags = validateTags(options.tags);
    if (options.component && options.existingComponent) {
      throw new SchematicsException('Use either --component (generate a new one) or --existing-component, not both.');
    }

    const workspace = await readWorkspace(tree);
    const projectName = options.project ?? (workspace.projects.size === 1 ? [...workspace.projects.keys()][0] : undefined);
    const project = projectName ? workspace.projects.get(projectName) : undefined;
    if (!projectName || !project) {
      throw new SchematicsException(
        projectName ? `Project "${projectName}" does not exist in angular.json.` : 'Pass the application with --project.',
      );
    }
    assertSsrProject(project, projectName);
    const sourceRoot = project.sourceRoot ?? join(project.root, 'src');
    assertIsrSetUp(typescript, tree, sourceRoot, projectName);

    const componentName = options.component ?? componentNameFromPath(path);
    const routes = locateRoutes(typescript, tree, sourceRoot, options.routesFile, {
      path,
      revalidate,
      tags,
      lazy: !!options.lazy,
      component: { className: strings.classify(componentName), importPath: `./${componentName}/${componentName}`, isDefault: false },
    });
    const routeExists = findRouteObject(typescript, routes.array, path) !== undefined;

    const serverRoutesFile = join('/', sourceRoot, 'app', SERVER_ROUTES_FILE);
    const serverPlan =
      options.skipServerRoute || !tree.exists(serverRoutesFile)
        ? undefined
        : planServerRouteEdit(typescript, tree, serverRoutesFile, path, indentUnit(tree.readText(serverRoutesFile)), getEOL(tree.readText(serverRoutesFile)));
    if (!options.skipServerRoute && !serverPlan) {
      context.logger.info(`No ${SERVER_ROUTES_FILE} in this project (no server routing): no server route to add.`);
      if (!path.includes(':') && prerendersDiscoveredRoutes(project)) {
        context.logger.warn(
          `angular.json prerenders the routes it discovers ("prerender" in the build options), so '${path}' becomes a ` +
            'static file at build time that is served without going through ISR. Turn route discovery off ' +
            '("prerender": false, or "discoverRoutes": false with an explicit "routesFile") for ISR to serve it.',
        );
      }
    }

    const rules: Rule[] = [];
    let component: RouteComponent | undefined;
    if (routeExists) {
      if (options.component || options.existingComponent || options.lazy) {
        context.logger.warn(`Route '${path}' already exists; its component is kept (only its ISR data is updated).`);
      }
    } else if (options.existingComponent) {
      component = resolveExistingComponent(typescript, tree, options.existingComponent, routes.path, sourceRoot);
    } else {
      const defaultPath = buildDefaultPath(project);
      const folder = generatedComponentFolder(defaultPath, componentName);
      if (tree.getDir(folder).subfiles.length > 0) {
        throw new SchematicsException(
          `${folder} already exists. Route to that component with --existing-component ${folder.replace(/^\//, '')}/<file>.ts, ` +
            'or pick another name with --component.',
        );
      }
      rules.push(
        externalSchematic('@schematics/angular', 'component', {
          name: componentName,
          project: projectName,
          path: defaultPath,
          standalone: true,
          skipImport: true,
        }),
        (generated: Tree) => {
          component = findGeneratedComponent(typescript, generated, folder, routes.path);
        },
      );
    }

    rules.push((current: Tree) => {
      // Re-read: the component schematic never touches the routes file, but positions must be fresh.
      const fresh = findRoutesArray(typescript, current, routes.path) ?? routes;
      const text = current.readText(fresh.path);
      const spec: IsrRouteSpec = { path, revalidate, tags, lazy: !!options.lazy, component };
      const plan = planRouteEdit(typescript, fresh, spec, indentUnit(text), getEOL(text));
      applyChanges(current, fresh.path, plan.changes);
      if (plan.message) {
        context.logger.info(plan.message);
      }
      if (serverPlan) {
        applyChanges(current, serverRoutesFile, serverPlan.changes);
        if (serverPlan.message) {
          context.logger.info(serverPlan.message);
        }
      }
    });

    return chain(rules);
  };
}

/** Finds the routes array (`--routes-file`, else the usual files), refusing with the route to add by hand. */
function locateRoutes(
  typescript: TypeScript,
  tree: Tree,
  sourceRoot: string,
  routesFile: string | undefined,
  spec: IsrRouteSpec,
): RoutesArray {
  const candidates = routesFile
    ? [join('/', routesFile)]
    : ROUTES_FILE_CANDIDATES.map((file) => join('/', sourceRoot, 'app', file));
  if (routesFile && !tree.exists(candidates[0])) {
    throw new SchematicsException(`--routes-file ${routesFile} does not exist.`);
  }
  for (const file of candidates.filter((candidate) => tree.exists(candidate))) {
    const found = findRoutesArray(typescript, tree, file);
    if (found) {
      return found;
    }
  }
  throw new SchematicsException(
    `Could not find the app's routes (looked in ${candidates.join(', ')}). ` +
      `Pass --routes-file, or add this route to your routes array by hand:\n${routeByHand(spec)}`,
  );
}

function applyChanges(tree: Tree, path: string, changes: Change[]): void {
  if (changes.length === 0) {
    return;
  }
  const recorder = tree.beginUpdate(path);
  applyToUpdateRecorder(recorder, changes);
  tree.commitUpdate(recorder);
}

export default isrRoute;
