import { logging } from '@angular-devkit/core';
import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { join } from 'node:path';
import { WorkspaceFiles, treeFiles, treeFromFiles } from './tree-files';

const repoRoot = join(__dirname, '../../../..');

/** The outcome of one `ng add ng-isr` run over a copy of a workspace. */
export interface NgAddRun {
  files: WorkspaceFiles;
  tree: UnitTestTree;
  logs: logging.LogEntry[];
  tasks: string[];
}

/** Runs ng-add from the real (built) collection.json over a copy of `files`. */
export async function runNgAdd(files: WorkspaceFiles, options: Record<string, unknown>): Promise<NgAddRun> {
  const runner = new SchematicTestRunner('ng-isr', join(repoRoot, 'collection.json'));
  const logs: logging.LogEntry[] = [];
  const subscription = runner.logger.subscribe((entry) => logs.push(entry));
  try {
    const tree = await runner.runSchematic('ng-add', options, treeFromFiles(files));
    return { files: treeFiles(tree), tree, logs, tasks: runner.tasks.map((task) => task.name) };
  } finally {
    subscription.unsubscribe();
  }
}

/** The outcome of an `ng add ng-isr` run that failed (a refusal). */
export interface FailedNgAddRun {
  error: Error;
  /** The tree the run was given, read after the failure (must equal the input). */
  files: WorkspaceFiles;
  logs: logging.LogEntry[];
  tasks: string[];
}

/** Runs ng-add over a copy of `files` and expects it to fail; throws when it succeeds. */
export async function runFailingNgAdd(files: WorkspaceFiles, options: Record<string, unknown>): Promise<FailedNgAddRun> {
  const runner = new SchematicTestRunner('ng-isr', join(repoRoot, 'collection.json'));
  const logs: logging.LogEntry[] = [];
  const subscription = runner.logger.subscribe((entry) => logs.push(entry));
  const tree = treeFromFiles(files);
  try {
    await runner.runSchematic('ng-add', options, tree);
  } catch (error) {
    return { error: error as Error, files: treeFiles(tree), logs, tasks: runner.tasks.map((task) => task.name) };
  } finally {
    subscription.unsubscribe();
  }
  throw new Error('ng add succeeded where a refusal was expected');
}

/** Paths whose content differs between two workspaces (added, removed or changed). */
export function changedPaths(before: WorkspaceFiles, after: WorkspaceFiles): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => !before.get(path)?.equals(after.get(path) ?? Buffer.alloc(0)) || !after.has(path)).sort();
}

/** A file's text. */
export function text(files: WorkspaceFiles, path: string): string {
  const content = files.get(path);
  if (!content) throw new Error(`${path} does not exist`);
  return content.toString('utf8');
}
