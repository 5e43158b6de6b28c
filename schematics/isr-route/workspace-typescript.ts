import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as ts from 'typescript';

/** The TypeScript module type; every AST helper takes it as a parameter instead of importing a copy. */
export type TypeScript = typeof ts;

let cached: { root: string; ts: TypeScript } | undefined;

/**
 * Loads the workspace's own `typescript` (resolved from `workspaceRoot`, the CLI's working directory),
 * falling back to the copy next to ng-isr. `@schematics/angular` no longer bundles one (v22), and
 * parsing with the project's version keeps syntax the project uses parseable.
 */
export function loadTypeScript(workspaceRoot: string = process.cwd()): TypeScript {
  if (cached?.root === workspaceRoot) {
    return cached.ts;
  }
  let loaded: TypeScript;
  try {
    loaded = createRequire(join(workspaceRoot, 'package.json'))('typescript') as TypeScript;
  } catch {
    loaded = require('typescript') as TypeScript;
  }
  cached = { root: workspaceRoot, ts: loaded };

  return loaded;
}
