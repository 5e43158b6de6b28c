import { DirEntry, SchematicsException, Tree } from '@angular-devkit/schematics';
import type { ProjectDefinition } from '@schematics/angular/utility';
import { getPackageJsonDependency } from '@schematics/angular/utility/dependencies';
import { allTargetOptions } from '@schematics/angular/utility/workspace';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { findDescendants, readSourceFile, type TypeScript } from '../utils/ast-search';
import { findNamedImport } from '../utils/import-edits';

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
    if (
      prerender === true ||
      (typeof prerender === 'object' && prerender !== null && !Array.isArray(prerender) && prerender['discoverRoutes'] !== false)
    ) {
      return true;
    }
  }

  return false;
}

/** Whether `package.json` at the workspace root lists ng-isr (dependencies or devDependencies). */
export function hasIsrDependency(tree: Tree): boolean {
  return tree.exists('/package.json') && getPackageJsonDependency(tree, NG_ISR_PACKAGE) !== null;
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
    const local = findNamedImport(typescript, source, NG_ISR_PACKAGE, 'provideISR');
    const calls = findDescendants(typescript, source, typescript.isCallExpression);

    return !!local && calls.some((call) => typescript.isIdentifier(call.expression) && call.expression.text === local);
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
