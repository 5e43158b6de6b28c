import { workspaces } from '@angular-devkit/core';
import { Rule, SchematicContext, Tree, chain, noop } from '@angular-devkit/schematics';
import { DependencyType, addDependency, readWorkspace, updateWorkspace } from '@schematics/angular/utility';
import type * as ts from 'typescript';
import { DEFAULT_INVALIDATE_PATH, DEFAULT_TOKEN_ENV, NG_ISR_PACKAGE } from '../utils/package';
import { ngIsrVersionRange } from '../utils/package-version';
import { findServerConfigFile, findSsrProject, resolveRelative } from '../utils/ssr-project';
import { loadTypeScript } from '../utils/typescript-loader';
import { NgAddOptions } from './schema';
import { addProvideIsr } from './server-config';
import { manualServerLines, rewriteServerFile } from './server-file';
import { serveCatchAllRoute } from './server-routes';
import { WorkspaceChanges, applyWorkspaceChanges, isWorkspaceUnchanged, planWorkspaceChanges } from './workspace-config';

/** Everything ng add will do, decided before anything is written. */
interface NgAddPlan {
  projectName: string;
  /** New contents of the files that change (path -> text). */
  files: Map<string, string>;
  workspace: WorkspaceChanges;
  messages: { level: 'info' | 'warn'; text: string }[];
}

/**
 * `ng add ng-isr`: wires ISR into an Angular SSR app. Every edit is planned first and checked; when
 * any part of the app has a shape this schematic does not recognise, nothing is changed and the error
 * lists the lines to add by hand.
 */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const workspace = await readWorkspace(tree);
    const plan = planNgAdd(loadTypeScript(), tree, workspace, withDefaults(options));
    if (typeof plan === 'string') {
      context.logger.error(plan);
      return noop();
    }
    return chain([
      writeFiles(plan.files),
      updateAngularJson(plan.projectName, plan.workspace),
      addDependency(NG_ISR_PACKAGE, ngIsrVersionRange(), { type: DependencyType.Default }),
      logMessages(plan.messages),
    ]);
  };
}

function withDefaults(options: Partial<NgAddOptions>): NgAddOptions {
  return {
    project: options.project,
    keepPrerender: options.keepPrerender ?? false,
    tokenEnv: options.tokenEnv ?? DEFAULT_TOKEN_ENV,
    invalidatePath: options.invalidatePath ?? DEFAULT_INVALIDATE_PATH,
    baseUrl: options.baseUrl ?? 'http://localhost:4000',
  };
}

/** Reads the project and plans every change; a string is the error to report (nothing changes). */
function planNgAdd(
  tsModule: typeof ts,
  tree: Tree,
  workspace: workspaces.WorkspaceDefinition,
  options: NgAddOptions,
): NgAddPlan | string {
  const project = findSsrProject(tree, workspace, options.project);
  if ('kind' in project) return `ng-isr: ${project.message}`;
  const files = new Map<string, string>();
  const messages: NgAddPlan['messages'] = [];
  const refuse = (file: string, reason: string, lines: string) =>
    `ng-isr could not set up ${file}: ${reason}. Nothing was changed.\n` +
    `Add ISR by hand with these lines:\n\n${lines}\n`;

  // server.ts
  const serverText = tree.readText(project.serverEntry);
  const server = rewriteServerFile(tsModule, project.serverEntry, serverText, options);
  if (!server.ok) return refuse(project.serverEntry, server.reason, manualServerLines(server, options));
  if (server.text !== serverText) files.set(project.serverEntry, server.text);
  messages.push(...server.messages.map((text) => ({ level: 'info' as const, text })));

  // app.config.server.ts / app.module.server.ts
  const providerLines = `import { provideISR } from '${NG_ISR_PACKAGE}';\n\n// in the server config's providers:\nprovideISR(),`;
  const configFile = project.serverMain && tree.exists(project.serverMain) ? findServerConfigFile(tree, project.serverMain) : undefined;
  if (!configFile) {
    return refuse(project.serverMain ?? 'the server bootstrap file', 'no server config (app.config.server.ts or the server NgModule) is imported from it', providerLines);
  }
  const configText = tree.readText(configFile);
  const config = addProvideIsr(tsModule, configFile, configText);
  if (!config.ok) return refuse(configFile, config.reason, providerLines);
  if (config.text !== configText) files.set(configFile, config.text);

  // app.routes.server.ts (Angular 19+ server routing)
  const routesFile = findServerRoutesFile(tree, configFile);
  if (routesFile) {
    const routes = serveCatchAllRoute(tsModule, routesFile, tree.readText(routesFile), options.keepPrerender);
    if (routes.otherPrerendered.length > 0) {
      messages.push({
        level: 'info',
        text:
          `${routesFile}: ${routes.otherPrerendered.map((path) => `'${path}'`).join(', ')} stay RenderMode.Prerender; ` +
          'those pages are static files that bypass ISR (use RenderMode.Server to cache them with ISR).',
      });
    }
    if (routes.switched > 0) {
      files.set(routesFile, routes.text);
      messages.push({
        level: 'info',
        text:
          `${routesFile}: the '**' route now renders with RenderMode.Server instead of RenderMode.Prerender, so that ISR ` +
          'caches and revalidates its pages (prerendered pages are static files ISR never sees). Use --keep-prerender to keep prerendering.',
      });
    } else if (routes.kept > 0) {
      messages.push({
        level: 'warn',
        text: `${routesFile}: the '**' route keeps RenderMode.Prerender (--keep-prerender); those pages are served as static files and bypass ISR.`,
      });
    }
  }

  // angular.json
  const workspaceChanges = planWorkspaceChanges(workspace, project.projectName, {
    ...options,
    defaultPath: DEFAULT_INVALIDATE_PATH,
    defaultTokenEnv: DEFAULT_TOKEN_ENV,
  });
  const describe = (configurations: (string | undefined)[]) =>
    configurations.map((name) => (name ? `the "${name}" configuration` : 'the build options')).join(', ');
  if (workspaceChanges.prerenderOff.length > 0) {
    messages.push({
      level: 'info',
      text:
        `angular.json: "prerender" is now false in ${describe(workspaceChanges.prerenderOff)} of "${project.projectName}": ` +
        'prerendered pages are static files that express.static serves before ISR. Use --keep-prerender to keep prerendering.',
    });
  }
  if (workspaceChanges.prerenderKept.length > 0) {
    messages.push({
      level: 'warn',
      text: `angular.json: "prerender" stays on in ${describe(workspaceChanges.prerenderKept)} (--keep-prerender); prerendered pages bypass ISR.`,
    });
  }

  if (files.size === 0 && isWorkspaceUnchanged(workspaceChanges)) {
    messages.push({ level: 'info', text: `ng-isr is already set up in "${project.projectName}"; nothing to change.` });
  } else {
    messages.push({
      level: 'info',
      text:
        `ng-isr is set up. Opt routes in with \`data: { revalidate: 60 }\` (or \`ng generate isr-route\`), and set ` +
        `${options.tokenEnv} on the server to enable POST ${options.invalidatePath} (\`ng run ${project.projectName}:isr-invalidate\`).`,
    });
  }
  return { projectName: project.projectName, files, workspace: workspaceChanges, messages };
}

/** The server routes file the server config imports (`app.routes.server.ts`), if any. */
function findServerRoutesFile(tree: Tree, configFile: string): string | undefined {
  const text = tree.readText(configFile);
  for (const match of text.matchAll(/\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const file = resolveRelative(tree, configFile, match[1]!);
    if (file && /\bRenderMode\b/.test(tree.readText(file))) return file;
  }
  return undefined;
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
