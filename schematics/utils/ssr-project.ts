import { workspaces } from '@angular-devkit/core';
import type * as ts from 'typescript';
import { Tree } from '@angular-devkit/schematics';
import { allTargetOptions } from '@schematics/angular/utility/workspace';
import { posix } from 'node:path';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { readSourceFile } from './ast-search';

/** Where a project's server-side files live, as its `angular.json` build target names them. */
export interface SsrProject {
  projectName: string;
  project: workspaces.ProjectDefinition;
  /** The Express server file (`build.options.ssr.entry`), workspace-relative without a leading slash. */
  serverEntry: string | undefined;
  /** The server bootstrap file (`build.options.server`, usually `src/main.server.ts`). */
  serverMain: string | undefined;
}

/** Why a project cannot be set up; `kind` decides which advice the user gets. */
export interface SsrProjectProblem {
  kind: 'no-project' | 'not-application' | 'no-ssr' | 'webpack' | 'no-entry';
  message: string;
}

/**
 * Finds the SSR files of a project (`requested`, else the workspace's only application), for both
 * schematics. Supports the application builder (`@angular/build:application`,
 * `@angular-devkit/build-angular:application`, Angular 17+) rendering at request time (`ssr` set, no
 * `outputMode: 'static'`); the webpack layout (`browser` + `server` targets) is reported, not guessed
 * at. With `requireServerEntry`, `ssr.entry` must name an existing server.ts.
 */
export function findSsrProject(
  tree: Tree,
  workspace: workspaces.WorkspaceDefinition,
  requested: string | undefined,
  { requireServerEntry = false }: { requireServerEntry?: boolean } = {},
): SsrProject | SsrProjectProblem {
  const applications = [...workspace.projects].filter(([, project]) => project.extensions['projectType'] === 'application');
  const projectName = requested ?? (applications.length === 1 ? applications[0]![0] : undefined);
  const project = projectName ? workspace.projects.get(projectName) : undefined;
  if (!projectName || !project) {
    return {
      kind: 'no-project',
      message: missingProjectMessage(
        requested,
        applications.map(([name]) => name),
      ),
    };
  }
  if (project.extensions['projectType'] !== 'application') {
    return {
      kind: 'not-application',
      message: `Project "${projectName}" is not an application; ISR belongs to an SSR application.`,
    };
  }
  const build = project.targets.get('build');
  const server = project.targets.get('server');
  if (server?.builder.endsWith(':server') || build?.builder.endsWith(':browser')) {
    return {
      kind: 'webpack',
      message:
        `Project "${projectName}" builds with the webpack builders (${server?.builder ?? build?.builder}). ` +
        'ng-isr supports the application builder (Angular 17+): migrate with ' +
        `\`ng update @angular/cli --name use-application-builder\`, then run \`ng add ${NG_ISR_PACKAGE}\` again.`,
    };
  }
  const options = build?.options ?? {};
  if (!rendersOnServer(build)) {
    return {
      kind: 'no-ssr',
      message:
        `Project "${projectName}" has no server-side rendering. ` +
        `Add it first with \`ng add @angular/ssr\`, then run \`ng add ${NG_ISR_PACKAGE}\`.`,
    };
  }
  const ssr = options['ssr'];
  const entry = ssr && typeof ssr === 'object' && !Array.isArray(ssr) ? ssr['entry'] : undefined;
  const entryExists = typeof entry === 'string' && tree.exists(entry);
  if (requireServerEntry && !entryExists) {
    return {
      kind: 'no-entry',
      message:
        `Project "${projectName}" renders on the server without an Express server file ` +
        `(build.options.ssr.entry${typeof entry === 'string' ? ` points to a missing ${entry}` : ' is not set'}). ` +
        'ISR needs one: run `ng add @angular/ssr` to generate server.ts, or set ssr.entry to your server file.',
    };
  }
  const serverMain = typeof options['server'] === 'string' ? options['server'] : undefined;
  return {
    projectName,
    project,
    serverEntry: entryExists ? normalize(entry) : undefined,
    serverMain: serverMain && normalize(serverMain),
  };
}

/**
 * Whether the build renders pages at request time: an `ssr` option (in the options or a
 * configuration) and no `outputMode: 'static'` (a `server` option alone only prerenders at build time).
 */
function rendersOnServer(build: workspaces.TargetDefinition | undefined): boolean {
  if (!build || build.options?.['outputMode'] === 'static') return false;
  return [...allTargetOptions(build)].some(([, options]) => !!options['ssr']);
}

function missingProjectMessage(requested: string | undefined, applications: string[]): string {
  if (requested) return `Project "${requested}" does not exist in angular.json.`;
  if (applications.length === 0) return 'The workspace has no application project; create one with `ng generate application`.';
  return `The workspace has several applications (${applications.join(', ')}); pick one with --project.`;
}

/**
 * The server routes file (`app.routes.server.ts`, Angular 19+ server routing) of a project, found
 * through the imports: server bootstrap file -> server config -> the file it imports `RenderMode` routes from.
 */
export function locateServerRoutesFile(tsModule: typeof ts, tree: Tree, project: SsrProject): string | undefined {
  const serverMain = project.serverMain && tree.exists(project.serverMain) ? project.serverMain : undefined;
  const configFile = serverMain && findServerConfigFile(tsModule, tree, serverMain);
  return configFile ? findServerRoutesFile(tsModule, tree, configFile) : undefined;
}

/** A tree path as the CLI prints it (relative to the workspace root). */
export function displayPath(path: string): string {
  return path.replace(/^\/+/, '');
}

/**
 * The server config file a server bootstrap file imports (`app.config.server.ts` for standalone apps,
 * `app.module.server.ts` for NgModule apps), found by following its relative imports and re-exports.
 */
export function findServerConfigFile(tsModule: typeof ts, tree: Tree, serverMain: string): string | undefined {
  return relativeImports(tsModule, tree, serverMain).find((file) =>
    /\bmergeApplicationConfig\b|\bApplicationConfig\b|@NgModule\s*\(/.test(tree.readText(file)),
  );
}

/** The server routes file (`app.routes.server.ts`, Angular 19+) a server config imports, if any. */
export function findServerRoutesFile(tsModule: typeof ts, tree: Tree, configFile: string): string | undefined {
  return relativeImports(tsModule, tree, configFile).find((file) => /\bRenderMode\b/.test(tree.readText(file)));
}

/** Existing files a module imports or re-exports with relative specifiers, in order. */
function relativeImports(tsModule: typeof ts, tree: Tree, file: string): string[] {
  const source = readSourceFile(tsModule, tree, file);
  return source.statements.flatMap((statement) => {
    const specifier = (tsModule.isImportDeclaration(statement) || tsModule.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!specifier || !tsModule.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return [];
    const resolved = resolveRelative(tree, file, specifier.text);
    return resolved ? [resolved] : [];
  });
}

/** Resolves `./x` imported from `fromFile` to an existing `.ts` file in the tree. */
export function resolveRelative(tree: Tree, fromFile: string, specifier: string): string | undefined {
  const base = posix.join(posix.dirname(fromFile), specifier);
  return [`${base}.ts`, `${base}/index.ts`, base].find((path) => path.endsWith('.ts') && tree.exists(path));
}

function normalize(path: string): string {
  return posix.normalize(path).replace(/^\/+/, '');
}
