import { JsonValue, workspaces } from '@angular-devkit/core';
import { NG_ISR_PACKAGE } from '../../common/constants';

/** The architect target ng add registers for `ng run <app>:isr-invalidate`. */
export const INVALIDATE_TARGET = 'isr-invalidate';
/** The architect target ng add registers for `ng run <app>:isr-warm`. */
export const WARM_TARGET = 'isr-warm';

/** What ng add wants to change in angular.json (each field absent when already done). */
export interface WorkspaceChanges {
  invalidateTarget?: { builder: string; options: Record<string, JsonValue> };
  warmTarget?: { builder: string; options: Record<string, JsonValue> };
  /** Build configurations (undefined = base options) whose `prerender` is switched off. */
  prerenderOff: (string | undefined)[];
  /** Build configurations that keep prerendering on purpose. */
  prerenderKept: (string | undefined)[];
  schematicCollections?: string[];
}

/** Decides the angular.json changes from the current workspace (no change = empty fields). */
export function planWorkspaceChanges(
  workspace: workspaces.WorkspaceDefinition,
  projectName: string,
  options: {
    keepPrerender: boolean;
    baseUrl?: string;
    invalidatePath: string;
    tokenEnv: string;
    defaultPath: string;
    defaultTokenEnv: string;
  },
): WorkspaceChanges {
  const project = workspace.projects.get(projectName)!;
  const changes: WorkspaceChanges = { prerenderOff: [], prerenderKept: [] };
  if (!project.targets.has(INVALIDATE_TARGET)) {
    // No default server and no default URLs: a target that posted to localhost or always
    // invalidated `/` would do what the user did not ask for (`--tags posts` also dropping `/`).
    const targetOptions: Record<string, JsonValue> = {};
    if (options.baseUrl) targetOptions['baseUrl'] = options.baseUrl;
    if (options.invalidatePath !== options.defaultPath) targetOptions['path'] = options.invalidatePath;
    if (options.tokenEnv !== options.defaultTokenEnv) targetOptions['tokenEnv'] = options.tokenEnv;
    changes.invalidateTarget = { builder: `${NG_ISR_PACKAGE}:isr-invalidate`, options: targetOptions };
  }
  if (!project.targets.has(WARM_TARGET)) {
    // Same rule as isr-invalidate: the server URL only when the user gave it (no localhost default).
    const targetOptions: Record<string, JsonValue> = options.baseUrl ? { baseUrl: options.baseUrl } : {};
    changes.warmTarget = { builder: `${NG_ISR_PACKAGE}:isr-warm`, options: targetOptions };
  }
  const build = project.targets.get('build');
  const configurations: [string | undefined, Record<string, JsonValue | undefined>][] = [[undefined, build?.options ?? {}]];
  for (const [name, values] of Object.entries(build?.configurations ?? {})) configurations.push([name, values ?? {}]);
  for (const [name, values] of configurations) {
    const prerender = values['prerender'];
    if (!prerender) continue;
    (options.keepPrerender ? changes.prerenderKept : changes.prerenderOff).push(name);
  }
  const cli = workspace.extensions['cli'];
  const existing = cli && typeof cli === 'object' && !Array.isArray(cli) ? cli['schematicCollections'] : undefined;
  const collections = Array.isArray(existing) ? existing.filter((entry): entry is string => typeof entry === 'string') : [];
  if (!collections.includes(NG_ISR_PACKAGE)) {
    // Listing collections replaces the CLI default, so @schematics/angular must stay in the list (after ours).
    const rest = collections.includes('@schematics/angular') ? collections : [...collections, '@schematics/angular'];
    changes.schematicCollections = [NG_ISR_PACKAGE, ...rest];
  }
  return changes;
}

/** True when the plan changes nothing in angular.json. */
export function isWorkspaceUnchanged(changes: WorkspaceChanges): boolean {
  return !changes.invalidateTarget && !changes.warmTarget && changes.prerenderOff.length === 0 && !changes.schematicCollections;
}

/** Applies planned changes to a workspace definition (inside `updateWorkspace`). */
export function applyWorkspaceChanges(workspace: workspaces.WorkspaceDefinition, projectName: string, changes: WorkspaceChanges): void {
  const project = workspace.projects.get(projectName)!;
  if (changes.invalidateTarget) project.targets.add({ name: INVALIDATE_TARGET, ...changes.invalidateTarget });
  if (changes.warmTarget) project.targets.add({ name: WARM_TARGET, ...changes.warmTarget });
  const build = project.targets.get('build');
  for (const configuration of changes.prerenderOff) {
    const values = configuration === undefined ? build?.options : build?.configurations?.[configuration];
    if (values) values['prerender'] = false;
  }
  if (changes.schematicCollections) {
    const cli = workspace.extensions['cli'];
    const cliObject = cli && typeof cli === 'object' && !Array.isArray(cli) ? cli : {};
    cliObject['schematicCollections'] = changes.schematicCollections;
    workspace.extensions['cli'] = cliObject;
  }
}
