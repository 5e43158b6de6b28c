import { Rule, SchematicContext, SchematicsException, Tree, chain, externalSchematic, strings } from '@angular-devkit/schematics';
import { type ProjectDefinition, readWorkspace } from '@schematics/angular/utility';
import { Change } from '@schematics/angular/utility/change';
import { buildDefaultPath } from '@schematics/angular/utility/workspace';
import { join } from 'node:path/posix';
import { type TypeScript, readSourceFile } from '../utils/ast-search';
import { commitChanges } from '../utils/changes';
import { CLI_CODE_STYLE, detectCodeStyle } from '../utils/code-style';
import { type SsrProject, displayPath, findSsrProject, locateServerRoutesFile } from '../utils/ssr-project';
import { findGeneratedComponent, generatedComponentFolder, resolveExistingComponent } from './component-target';
import { assertIsrSetUp, prerendersDiscoveredRoutes } from './isr-setup';
import { IsrRouteSpec, RouteComponent, planRouteEdit, routeByHand } from './route-edit';
import { componentNameFromPath, normalizeRoutePath, validateRevalidate, validateTags } from './route-path';
import { ROUTES_FILE_CANDIDATES, RoutesArray, findRouteObject, findRoutesArray } from './routes-array';
import { type ServerRouteEditPlan, planServerRouteEdit } from './server-routes';
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
    const lazy = !!options.lazy;
    if (options.component && options.existingComponent) {
      throw new SchematicsException('Use either --component (generate a new one) or --existing-component, not both.');
    }
    const ssrProject = findSsrProject(tree, await readWorkspace(tree), options.project);
    if ('kind' in ssrProject) {
      throw new SchematicsException(ssrProject.message);
    }
    const { projectName, project } = ssrProject;
    const sourceRoot = project.sourceRoot ?? join(project.root, 'src');
    assertIsrSetUp(typescript, tree, sourceRoot, projectName);

    const componentName = options.component ?? componentNameFromPath(path);
    const guessed = { className: strings.classify(componentName), importPath: `./${componentName}`, isDefault: false };
    const routes = locateRoutes(typescript, tree, sourceRoot, options.routesFile, { path, revalidate, tags, lazy, component: guessed });
    const serverPlan = options.skipServerRoute ? undefined : planServerRoute(typescript, tree, context, ssrProject, path);

    const rules: Rule[] = [];
    let component: RouteComponent | undefined;
    if (findRouteObject(typescript, routes.array, path)) {
      if (options.component || options.existingComponent || lazy) {
        context.logger.warn(`Route '${path}' already exists; its component is kept (only its ISR data is updated).`);
      }
    } else if (options.existingComponent) {
      component = resolveExistingComponent(typescript, tree, options.existingComponent, routes.path, sourceRoot);
    } else {
      rules.push(
        generateComponent(typescript, tree, project, projectName, componentName, routes.path, (generated) => {
          component = generated;
        }),
      );
    }

    rules.push((current: Tree) => {
      // Re-read: the component schematic never touches the routes file, but positions must be fresh.
      const fresh = findRoutesArray(typescript, current, routes.path) ?? routes;
      const style = detectCodeStyle(typescript, readSourceFile(typescript, current, fresh.path));
      const plan = planRouteEdit(typescript, fresh, { path, revalidate, tags, lazy, component }, style);
      applyChanges(current, fresh.path, plan.changes, context, plan.message);
      if (serverPlan) {
        applyChanges(current, serverPlan.file, serverPlan.changes, context, serverPlan.message);
      }
    });

    return chain(rules);
  };
}

/**
 * Plans the server routes edit (`app.routes.server.ts`, wherever the server config imports it from);
 * without server routing, says so and warns when build-time route discovery would prerender the
 * page into a static file ISR never sees.
 */
function planServerRoute(
  typescript: TypeScript,
  tree: Tree,
  context: SchematicContext,
  ssrProject: SsrProject,
  path: string,
): (ServerRouteEditPlan & { file: string }) | undefined {
  const found = locateServerRoutesFile(typescript, tree, ssrProject);
  if (found) {
    const file = join('/', found);

    return { file, ...planServerRouteEdit(typescript, tree, file, path) };
  }
  context.logger.info(`No ${SERVER_ROUTES_FILE} imported by the server config (no server routing): no server route to add.`);
  if (!path.includes(':') && prerendersDiscoveredRoutes(ssrProject.project)) {
    context.logger.warn(
      `angular.json prerenders the routes it discovers ("prerender" in the build options), so '${path}' becomes a ` +
        'static file at build time that is served without going through ISR. Turn route discovery off ' +
        '("prerender": false, or "discoverRoutes": false with an explicit "routesFile") for ISR to serve it.',
    );
  }

  return undefined;
}

/**
 * Runs `@schematics/angular:component` (the workspace's own release, with the workspace's defaults)
 * for a standalone component, then hands the generated class to `found`.
 */
function generateComponent(
  typescript: TypeScript,
  tree: Tree,
  project: ProjectDefinition,
  projectName: string,
  name: string,
  routesFile: string,
  found: (component: RouteComponent) => void,
): Rule {
  const defaultPath = buildDefaultPath(project);
  const folder = generatedComponentFolder(defaultPath, name);
  if (tree.getDir(folder).subfiles.length > 0) {
    throw new SchematicsException(
      `${displayPath(folder)} already exists. Route to that component with --existing-component ` +
        `${displayPath(folder)}/<file>.ts, or pick another name with --component.`,
    );
  }

  return chain([
    externalSchematic('@schematics/angular', 'component', {
      name,
      project: projectName,
      path: defaultPath,
      standalone: true,
      skipImport: true,
    }),
    (generated: Tree) => found(findGeneratedComponent(typescript, generated, folder, routesFile)),
  ]);
}

/** Finds the routes array (`--routes-file`, else the usual files), refusing with the route to add by hand. */
function locateRoutes(
  typescript: TypeScript,
  tree: Tree,
  sourceRoot: string,
  routesFile: string | undefined,
  spec: IsrRouteSpec,
): RoutesArray {
  const candidates = routesFile ? [join('/', routesFile)] : ROUTES_FILE_CANDIDATES.map((file) => join('/', sourceRoot, 'app', file));
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
      `Pass --routes-file, or add this route to your routes array by hand:\n${routeByHand(CLI_CODE_STYLE, spec)}`,
  );
}

function applyChanges(tree: Tree, path: string, changes: Change[], context: SchematicContext, message?: string): void {
  commitChanges(tree, path, changes);
  if (message) {
    context.logger.info(message);
  }
}

export default isrRoute;
