import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { join } from 'node:path';

const repoRoot = join(__dirname, '../../..');
const angular = new SchematicTestRunner('@schematics/angular', join(repoRoot, 'node_modules/@schematics/angular/collection.json'));

/** The devDependency release's version (21.x), written into the generated package.json. */
export const CURRENT_ANGULAR = '21.2.24';

/**
 * `ng new --create-application=false` + `ng generate application <app>` with the devDependency
 * release's own `@schematics/angular` (in-process, like its own specs): the one generator of
 * current-release workspaces for the ng add and isr-route tests.
 */
export async function angularWorkspace(options: { app: string; standalone?: boolean; ssr?: boolean }): Promise<UnitTestTree> {
  const workspace = await angular.runSchematic('workspace', { name: 'workspace', newProjectRoot: 'projects', version: CURRENT_ANGULAR });
  return angular.runSchematic(
    'application',
    { name: options.app, ssr: options.ssr ?? true, standalone: options.standalone ?? true, skipPackageJson: false },
    workspace,
  );
}
