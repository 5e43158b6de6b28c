import { workspaces } from '@angular-devkit/core';
import { Rule, SchematicContext, SchematicsException, Tree, chain, noop } from '@angular-devkit/schematics';
import { DependencyType, ExistingBehavior, addDependency, readWorkspace, updateWorkspace } from '@schematics/angular/utility';
import { getPackageJsonDependency, removePackageJsonDependency } from '@schematics/angular/utility/dependencies';
import type * as ts from 'typescript';
import { DEFAULT_INVALIDATE_PATH, DEFAULT_TOKEN_ENV, NG_ISR_PACKAGE } from '../../common/constants';
import { ngIsrVersionRange } from '../utils/package-version';
import { findServerConfigFile, findServerRoutesFile, findSsrProject } from '../utils/ssr-project';
import { loadTypeScript } from '../utils/typescript-loader';
import { MIGRATION_STEPS } from './messages';
import { planMigration } from './migrate';
import { NgAddOptions } from './schema';
import { addProvideIsr } from './server-config';
import { manualServerLines, rewriteServerFile } from './server-file';
import { serveCatchAllRoute } from './server-routes';
import { LogMessage, closingMessage, prerenderMessages, serverRoutesMessages, versionOf } from './messages';
import { WorkspaceChanges, applyWorkspaceChanges, isWorkspaceUnchanged, planWorkspaceChanges } from './workspace-config';

/** Everything ng add will do, decided before anything is written. */
interface NgAddPlan {
  projectName: string;
  /** New contents of the files that change (path -> text). */
  files: Map<string, string>;
  workspace: WorkspaceChanges;
  messages: LogMessage[];
  /** @rx-angular/isr / ngx-isr, when migrated from. */
  removePackages: string[];
}

/**
 * `ng add ng-isr`: wires ISR into an Angular SSR app. Every edit is planned first and checked; when
 * any part of the app has a shape this schematic does not recognise, nothing is changed, the error
 * lists the lines to add by hand, and the schematic fails (non-zero exit).
 */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const workspace = await readWorkspace(tree);
    const plan = planNgAdd(loadTypeScript(), tree, workspace, withDefaults(options));
    if (typeof plan === 'string') {
      // Nothing has been written yet (every change is planned first). Failing the schematic makes
      // `ng add` exit non-zero, so CI scripts notice. The log carries the reason and the manual
      // lines; the CLI prints the exception's message after it, so that says what is left to do
      // instead of repeating the reason.
      context.logger.error(plan);
      throw new SchematicsException(stoppedMessage(tree, workspace));
    }
    return chain([
      writeFiles(plan.files),
      (tree: Tree) => plan.removePackages.forEach((name) => removePackageJsonDependency(tree, name)),
      updateAngularJson(plan.projectName, plan.workspace),
      // `ng add` has already installed ng-isr (maybe from a tarball, a tag or a git URL): keep that specifier.
      addDependency(NG_ISR_PACKAGE, ngIsrVersionRange(), {
        type: DependencyType.Default,
        existing: ExistingBehavior.Skip,
      }),
      logMessages(plan.messages),
    ]);
  };
}

/**
 * The last line of a refused run. `ng add` installs the package (and saves it in package.json)
 * before it runs this schematic, and a failed run commits nothing from the tree, so the package
 * stays: say how to remove it, with the workspace's package manager.
 */
function stoppedMessage(tree: Tree, workspace: workspaces.WorkspaceDefinition): string {
  const stopped = `ng add ${NG_ISR_PACKAGE} stopped: nothing was set up (see the error above).`;
  if (!tree.exists('/package.json') || !getPackageJsonDependency(tree, NG_ISR_PACKAGE)) return stopped;
  return (
    `${stopped} ${NG_ISR_PACKAGE} stays installed: remove it with \`${uninstallCommand(tree, workspace)}\`, ` +
    `or run \`ng add ${NG_ISR_PACKAGE}\` again once that is fixed.`
  );
}

function uninstallCommand(tree: Tree, workspace: workspaces.WorkspaceDefinition): string {
  const cli = workspace.extensions['cli'];
  const configured = cli && typeof cli === 'object' && !Array.isArray(cli) ? cli['packageManager'] : undefined;
  const byLockFile = [
    ['yarn.lock', 'yarn'],
    ['pnpm-lock.yaml', 'pnpm'],
    ['bun.lock', 'bun'],
    ['bun.lockb', 'bun'],
  ].find(([lockFile]) => tree.exists(`/${lockFile}`))?.[1];
  const manager = typeof configured === 'string' ? configured : (byLockFile ?? 'npm');
  return manager === 'npm' ? `npm uninstall ${NG_ISR_PACKAGE}` : `${manager} remove ${NG_ISR_PACKAGE}`;
}

function withDefaults(options: Partial<NgAddOptions>): NgAddOptions {
  return {
    project: options.project,
    keepPrerender: options.keepPrerender ?? false,
    tokenEnv: options.tokenEnv ?? DEFAULT_TOKEN_ENV,
    invalidatePath: options.invalidatePath ?? DEFAULT_INVALIDATE_PATH,
    baseUrl: options.baseUrl,
  };
}

/** Reads the project and plans every change; a string is the error to report (nothing changes). */
function planNgAdd(tsModule: typeof ts, tree: Tree, workspace: workspaces.WorkspaceDefinition, options: NgAddOptions): NgAddPlan | string {
  const project = findSsrProject(tree, workspace, options.project, { requireServerEntry: true });
  if ('kind' in project) return `ng-isr: ${project.message}`;
  const files = new Map<string, string>();
  const messages: NgAddPlan['messages'] = [];
  const refuse = (file: string, reason: string, lines: string) =>
    `ng-isr could not set up ${file}: ${reason}. Nothing was changed.\n` + `Add ISR by hand with these lines:\n\n${lines}\n`;

  // server.ts (`requireServerEntry` made sure it exists)
  const serverEntry = project.serverEntry!;
  const serverText = tree.readText(serverEntry);
  // An @rx-angular/isr or ngx-isr setup is first brought to the shape the fresh steps below finish.
  const migration = planMigration(tsModule, tree, project, serverText, options);
  if (typeof migration === 'string') {
    return refuse(serverEntry, migration, `${manualServerLines({ engine: undefined }, options)}\n\n${MIGRATION_STEPS}`);
  }
  options = { ...options, invalidatePath: migration.invalidatePath ?? options.invalidatePath };
  const server = rewriteServerFile(tsModule, serverEntry, migration.serverText, options);
  if (!server.ok) return refuse(serverEntry, server.reason, manualServerLines(server, options));
  if (server.text !== serverText) files.set(serverEntry, server.text);
  for (const [path, text] of migration.files) files.set(path, text);
  messages.push(...migration.messages, ...server.messages.map((text) => ({ level: 'info' as const, text })));
  messages.push(...server.warnings.map((text) => ({ level: 'warn' as const, text })));

  // app.config.server.ts / app.module.server.ts
  const providerLines = `import { provideISR } from '${NG_ISR_PACKAGE}';\n\n// in the server config's providers:\nprovideISR(),`;
  const serverMain = project.serverMain && tree.exists(project.serverMain) ? project.serverMain : undefined;
  const configFile = serverMain && findServerConfigFile(tsModule, tree, serverMain);
  if (!configFile) {
    const reason = 'no server config (app.config.server.ts or the server NgModule) is imported from it';
    return refuse(project.serverMain ?? 'the server bootstrap file', reason, providerLines);
  }
  // The migrated text when the old library's providers were there (NgxIsrModule went, provideISR() comes now).
  const configText = files.get(`/${configFile.replace(/^\//, '')}`) ?? files.get(configFile) ?? tree.readText(configFile);
  const config = addProvideIsr(tsModule, configFile, configText);
  if (!config.ok) return refuse(configFile, config.reason, providerLines);
  if (config.text !== configText) files.set(configFile, config.text);

  // app.routes.server.ts (Angular 19+ server routing)
  const routesFile = findServerRoutesFile(tsModule, tree, configFile);
  if (routesFile) {
    const routes = serveCatchAllRoute(tsModule, routesFile, tree.readText(routesFile), options.keepPrerender);
    if (routes.switched > 0) files.set(routesFile, routes.text);
    messages.push(...serverRoutesMessages(routesFile, routes));
  }

  // angular.json
  const workspaceChanges = planWorkspaceChanges(workspace, project.projectName, {
    ...options,
    defaultPath: DEFAULT_INVALIDATE_PATH,
    defaultTokenEnv: DEFAULT_TOKEN_ENV,
  });
  messages.push(...prerenderMessages(workspaceChanges, project.projectName));

  if (files.size === 0 && isWorkspaceUnchanged(workspaceChanges) && migration.removePackages.length === 0) {
    messages.push({ level: 'info', text: `ng-isr is already set up in "${project.projectName}"; nothing to change.` });
  } else {
    messages.push({
      level: 'info',
      text: closingMessage({
        projectName: project.projectName,
        tokenEnv: options.tokenEnv,
        invalidatePath: options.invalidatePath,
        engine: server.engine,
        angularVersion: angularSsrVersion(tree),
      }),
    });
  }
  return { projectName: project.projectName, files, workspace: workspaceChanges, messages, removePackages: migration.removePackages };
}

/** The app's `@angular/ssr` version: the installed one when the tree shows node_modules, else package.json's range. */
function angularSsrVersion(tree: Tree): [number, number] | undefined {
  const read = (path: string): Record<string, unknown> | undefined => {
    try {
      return tree.exists(path) ? (JSON.parse(tree.readText(path)) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const installed = read('/node_modules/@angular/ssr/package.json')?.['version'];
  if (typeof installed === 'string' && versionOf(installed)) return versionOf(installed);
  const manifest = read('/package.json') as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined;
  const deps = { ...manifest?.devDependencies, ...manifest?.dependencies };
  return versionOf(deps['@angular/ssr'] ?? deps['@angular/core']);
}

function writeFiles(files: ReadonlyMap<string, string>): Rule {
  return (tree) => {
    for (const [path, text] of files) tree.overwrite(path, text);
  };
}

function updateAngularJson(projectName: string, changes: WorkspaceChanges): Rule {
  // Untouched when nothing changes, so that a second run leaves angular.json byte-identical.
  if (isWorkspaceUnchanged(changes)) return noop();
  return updateWorkspace((workspace) => applyWorkspaceChanges(workspace, projectName, changes));
}

function logMessages(messages: NgAddPlan['messages']): Rule {
  return (_tree, context) => {
    for (const { level, text } of messages) context.logger[level](text);
  };
}
