import type * as ts from 'typescript';

/**
 * Loads the `typescript` the user's workspace has installed (the Angular CLI runs schematics with the
 * workspace root as working directory), falling back to the copy next to ng-isr. Using the project's
 * own compiler keeps parsing in step with the syntax its sources use; `@schematics/angular` no longer
 * bundles a TypeScript copy (v22).
 */
export function loadTypeScript(workspaceRoot: string = process.cwd()): typeof ts {
  try {
    const resolved = require.resolve('typescript', { paths: [workspaceRoot] });
    // The workspace's own TypeScript is only known at run time: a dynamic require, on purpose.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved) as typeof ts;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('typescript') as typeof ts;
  }
}
