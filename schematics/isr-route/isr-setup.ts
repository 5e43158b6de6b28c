import { DirEntry, SchematicsException, Tree } from '@angular-devkit/schematics';
import type { ProjectDefinition } from '@schematics/angular/utility';
import { allTargetOptions } from '@schematics/angular/utility/workspace';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { readSourceFile, stringValue, type TypeScript } from './ast-helpers';

/**
 * Whether the project renders pages on the server at request time: the application builder
 * (Angular 17+) needs an `ssr` option and no `outputMode: 'static'` (a `server` option alone only
 * prerenders at build time); the webpack builders need a `server` target.
 */
export function hasSsr(project: ProjectDefinition): boolean {
  const build = project.targets.get('build');
  if (!build?.builder.endsWith(':application')) {
    return project.targets.has('server');
  }
  if (build.options?.['outputMode'] === 'static') {
    return false;
  }
  for (const [, options] of allTargetOptions(build)) {
    if (options['ssr']) {
      return true;
    }
  }

  return false;
}

/**
 * Whether the build prerenders discovered routes (`"prerender": true`, or an object without
 * `discoverRoutes: false`), as Angular 17-19 apps without server routing do by default.
 */
export function prerendersDiscoveredRoutes(project: ProjectDefinition): boolean {
  const build = project.targets.get('build');
  if (!build) {
    return false;
  }
  for (const [, options] of allTargetOptions(build)) {
    const prerender = options['prerender'];
    if (prerender === true || (typeof prerender === 'object' && prerender !== null && !Array.isArray(prerender) && prerender['discoverRoutes'] !== false)) {
      return true;
    }
  }

  return false;
}

/** Refuses projects that are not SSR applications: ISR caches server-rendered pages. */
export function assertSsrProject(project: ProjectDefinition, projectName: string): void {
  if (project.extensions['projectType'] !== 'application') {
    throw new SchematicsException(`Project "${projectName}" is not an application; ISR routes belong to an SSR application.`);
  }
  if (!hasSsr(project)) {
    throw new SchematicsException(
      `Project "${projectName}" does not use server-side rendering, so there is nothing to cache. ` +
        `Add SSR with "ng add @angular/ssr --project ${projectName}", then "ng add ${NG_ISR_PACKAGE}".`,
    );
  }
}

/** Whether `package.json` at the workspace root lists ng-isr (dependencies or devDependencies). */
export function hasIsrDependency(tree: Tree): boolean {
  if (!tree.exists('/package.json')) {
    return false;
  }
  const pkg = JSON.parse(tree.readText('/package.json')) as Record<string, Record<string, string> | undefined>;

  return Boolean(pkg['dependencies']?.[NG_ISR_PACKAGE] ?? pkg['devDependencies']?.[NG_ISR_PACKAGE]);
}

/**
 * The project's file that registers ISR: it imports `provideISR` from 'ng-isr' and calls it
 * (what `ng add ng-isr` writes into the server config, `app.config.server.ts` or
 * `app.module.server.ts`). Only files mentioning `provideISR` are parsed.
 */
export function findProvideIsrFile(typescript: TypeScript, tree: Tree, sourceRoot: string): string | undefined {
  const candidates: string[] = [];
  const walk = (dir: DirEntry): void => {
    for (const file of dir.subfiles) {
      if (file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('.d.ts')) {
        candidates.push(`${dir.path}/${file}`);
      }
    }
    for (const sub of dir.subdirs) {
      if (sub !== 'node_modules') {
        walk(dir.dir(sub));
      }
    }
  };
  walk(tree.getDir(sourceRoot));

  return candidates.find((file) => {
    if (!tree.readText(file).includes('provideISR')) {
      return false;
    }
    const source = readSourceFile(typescript, tree, file);
    const imported = source.statements.some(
      (statement) =>
        typescript.isImportDeclaration(statement) &&
        stringValue(typescript, statement.moduleSpecifier) === NG_ISR_PACKAGE &&
        statement.importClause?.namedBindings !== undefined &&
        typescript.isNamedImports(statement.importClause.namedBindings) &&
        statement.importClause.namedBindings.elements.some(
          (element) => (element.propertyName ?? element.name).text === 'provideISR',
        ),
    );
    let called = false;
    const visit = (node: import('typescript').Node): void => {
      if (typescript.isCallExpression(node) && typescript.isIdentifier(node.expression) && node.expression.text === 'provideISR') {
        called = true;
      }
      if (!called) {
        typescript.forEachChild(node, visit);
      }
    };
    visit(source);

    return imported && called;
  });
}

/** Refuses when `ng add ng-isr` has not run: the dependency and `provideISR()` must both be there. */
export function assertIsrSetUp(typescript: TypeScript, tree: Tree, sourceRoot: string, projectName: string): void {
  const missing: string[] = [];
  if (!hasIsrDependency(tree)) {
    missing.push(`"${NG_ISR_PACKAGE}" is not in package.json`);
  }
  if (!findProvideIsrFile(typescript, tree, sourceRoot)) {
    missing.push(`no server config under ${sourceRoot} calls provideISR() from '${NG_ISR_PACKAGE}'`);
  }
  if (missing.length > 0) {
    throw new SchematicsException(
      `ng-isr is not set up in project "${projectName}" (${missing.join('; ')}). ` +
        `Run "ng add ${NG_ISR_PACKAGE} --project ${projectName}" first.`,
    );
  }
}
