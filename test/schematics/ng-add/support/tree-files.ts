import { HostTree } from '@angular-devkit/schematics';
import { UnitTestTree } from '@angular-devkit/schematics/testing';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** A workspace as files: tree path (leading slash) -> content. */
export type WorkspaceFiles = Map<string, Buffer>;

/** Every file of a tree. */
export function treeFiles(tree: UnitTestTree): WorkspaceFiles {
  const files: WorkspaceFiles = new Map();
  tree.visit((path) => {
    const content = tree.read(path);
    if (content) files.set(path, content);
  });
  return files;
}

/** A fresh tree holding `files` (each test run edits its own copy). */
export function treeFromFiles(files: WorkspaceFiles): UnitTestTree {
  const tree = new UnitTestTree(new HostTree());
  for (const [path, content] of files) tree.create(path, content);
  return tree;
}

/** Reads a folder written by {@link writeFiles} (or by the release generator). */
export function readFolder(root: string): WorkspaceFiles {
  const files: WorkspaceFiles = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set('/' + relative(root, full).split(sep).join('/'), readFileSync(full));
    }
  };
  walk(root);
  return files;
}

/** Writes files below `root`. */
export function writeFiles(root: string, files: WorkspaceFiles): void {
  for (const [path, content] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
