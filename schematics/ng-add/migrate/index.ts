import { Tree } from '@angular-devkit/schematics';
import { getPackageJsonDependency } from '@schematics/angular/utility/dependencies';
import type * as ts from 'typescript';
import type { SsrProject } from '../../utils/ssr-project';
import type { LogMessage } from '../messages';
import { FOREIGN_ISR_PACKAGES, todoLines } from './foreign-imports';
import { migrateAppFile } from './migrate-config';
import { migrateServerFile } from './migrate-server';

export { FOREIGN_ISR_PACKAGES } from './foreign-imports';

/** What moving from @rx-angular/isr / ngx-isr changes before the fresh `ng add` steps run. */
export interface MigrationPlan {
  /** server.ts in the shape the fresh planners finish (unchanged when there was nothing to migrate). */
  serverText: string;
  /** The old invalidate route's path, kept so that callers keep working. */
  invalidatePath: string | undefined;
  /** Other app files that change (path -> text). */
  files: Map<string, string>;
  /** Old packages to remove from package.json. */
  removePackages: string[];
  messages: LogMessage[];
}

/**
 * Plans the move from `@rx-angular/isr` / `ngx-isr`: server.ts (see {@link migrateServerFile}) and
 * every app file below the project's source root that imports them. A string is the reason it stops
 * (nothing is written then). Lines left with `TODO(ng-isr)` are listed as warnings on every run.
 */
export function planMigration(
  tsModule: typeof ts,
  tree: Tree,
  project: SsrProject,
  serverText: string,
  options: { tokenEnv: string; invalidatePath: string },
): MigrationPlan | string {
  const serverEntry = project.serverEntry!;
  const server = migrateServerFile(tsModule, `/${serverEntry}`, serverText, options);
  if (typeof server === 'string') return server;
  const files = new Map<string, string>();
  const messages = [...server.messages];
  const sourceRoot = project.project.sourceRoot ?? `${project.project.root ? `${project.project.root}/` : ''}src`;
  const appFiles: string[] = [];
  tree.getDir(sourceRoot).visit((path) => {
    if (path.endsWith('.ts') && !path.endsWith('.spec.ts') && path !== `/${serverEntry}`) appFiles.push(path);
  });
  if (
    server.packageName ||
    appFiles.some((path) =>
      FOREIGN_ISR_PACKAGES.some((name) => tree.readText(path).includes(`'${name}`) || tree.readText(path).includes(`"${name}`)),
    )
  ) {
    for (const path of appFiles) {
      const text = tree.readText(path);
      const migrated = migrateAppFile(tsModule, path, text);
      if (typeof migrated === 'string') return migrated;
      if (migrated.text !== text) files.set(path, migrated.text);
      messages.push(...migrated.messages);
    }
  }
  for (const [path, text] of [[`/${serverEntry}`, server.text] as const, ...files]) {
    for (const line of todoLines(path, text)) {
      messages.push({ level: 'warn', text: `${line} (left for you with a // TODO(ng-isr) comment; see docs/migrating.md)` });
    }
  }
  const removePackages = tree.exists('/package.json') ? FOREIGN_ISR_PACKAGES.filter((name) => getPackageJsonDependency(tree, name)) : [];
  if (removePackages.length > 0) {
    messages.push({
      level: 'info',
      text: `package.json: removed ${removePackages.join(', ')} (run your package manager's install to update the lock file).`,
    });
  }
  return { serverText: server.text, invalidatePath: server.invalidatePath, files, removePackages, messages };
}
