import { workspaces } from '@angular-devkit/core';
import type * as ts from 'typescript';
import { Tree } from '@angular-devkit/schematics';
import { posix } from 'node:path';

/** Where a project's server-side files live, as its `angular.json` build target names them. */
export interface SsrProject {
  projectName: string;
  /** The Express server file (`build.options.ssr.entry`), workspace-relative without a leading slash. */
  serverEntry: string;
  /** The server bootstrap file (`build.options.server`, usually `src/main.server.ts`). */
  serverMain: string | undefined;
}

/** Why a project cannot be set up; `kind` decides which advice the user gets. */
export interface SsrProjectProblem {
  kind: 'no-project' | 'no-ssr' | 'webpack' | 'no-entry';
  message: string;
}

/**
 * Finds the SSR files of a project. Supports the application builder (`@angular/build:application`,
 * `@angular-devkit/build-angular:application`, Angular 17+), where `ssr.entry` names server.ts; the
 * webpack layout (`browser` + `server` targets) is reported, not guessed at.
 */
export function findSsrProject(
  tree: Tree,
  workspace: workspaces.WorkspaceDefinition,
  requested: string | undefined,
): SsrProject | SsrProjectProblem {
  const projectName = requested ?? soleApplication(workspace);
  const project = projectName ? workspace.projects.get(projectName) : undefined;
  if (!projectName || !project) {
    return {
      kind: 'no-project',
      message: requested
        ? `Project "${requested}" does not exist in angular.json.`
        : 'The workspace has several applications; pick one with --project.',
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
        '`ng update @angular/cli --name use-application-builder`, then run `ng add ng-isr` again.',
    };
  }
  const options = build?.options ?? {};
  const ssr = options['ssr'];
  if (!ssr) {
    return {
      kind: 'no-ssr',
      message: `Project "${projectName}" has no server-side rendering. Add it first with \`ng add @angular/ssr\`, then run \`ng add ng-isr\`.`,
    };
  }
  const entry = typeof ssr === 'object' && !Array.isArray(ssr) ? ssr['entry'] : undefined;
  if (typeof entry !== 'string' || !tree.exists(entry)) {
    return {
      kind: 'no-entry',
      message:
        `Project "${projectName}" renders on the server without an Express server file ` +
        `(build.options.ssr.entry${typeof entry === 'string' ? ` points to a missing ${entry}` : ' is not set'}). ` +
        'ISR needs one: run `ng add @angular/ssr` to generate server.ts, or set ssr.entry to your server file.',
    };
  }
  const serverMain = typeof options['server'] === 'string' ? options['server'] : undefined;
  return { projectName, serverEntry: normalize(entry), serverMain: serverMain && normalize(serverMain) };
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
  const source = tsModule.createSourceFile(file, tree.readText(file), tsModule.ScriptTarget.Latest, false);
  return source.statements.flatMap((statement) => {
    const specifier =
      (tsModule.isImportDeclaration(statement) || tsModule.isExportDeclaration(statement)) && statement.moduleSpecifier;
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

function soleApplication(workspace: workspaces.WorkspaceDefinition): string | undefined {
  const applications = [...workspace.projects].filter(([, project]) => project.extensions['projectType'] === 'application');
  return applications.length === 1 ? applications[0]![0] : undefined;
}

function normalize(path: string): string {
  return posix.normalize(path).replace(/^\/+/, '');
}
