import { HostTree, Tree } from '@angular-devkit/schematics';
import { Change, InsertChange, RemoveChange, ReplaceChange, applyToUpdateRecorder } from '@schematics/angular/utility/change';

/**
 * The change that replaces `[start, end)` of `text` with `replacement`, as the Angular CLI models
 * edits: an {@link InsertChange} when nothing is replaced, a {@link RemoveChange} when nothing is
 * written, else a {@link ReplaceChange}.
 */
export function replaceRange(path: string, text: string, start: number, end: number, replacement: string): Change {
  if (start === end) return new InsertChange(path, start, replacement);
  const old = text.slice(start, end);
  return replacement === '' ? new RemoveChange(path, start, old) : new ReplaceChange(path, start, old, replacement);
}

/** Applies changes to a file of the tree with the CLI's own `applyToUpdateRecorder` (no-op without changes). */
export function commitChanges(tree: Tree, path: string, changes: readonly Change[]): void {
  if (changes.length === 0) return;
  const recorder = tree.beginUpdate(path);
  applyToUpdateRecorder(recorder, [...changes]);
  tree.commitUpdate(recorder);
}

/**
 * The text after applying `changes` to `text`, through the same recorder as {@link commitChanges}
 * (in a scratch tree), so that a rewrite can be checked, or planned in several passes, before
 * anything is written. Insertions at one position keep the order they were given in.
 */
export function applyChangesToText(path: string, text: string, changes: readonly Change[]): string {
  if (changes.length === 0) return text;
  const scratch = new HostTree();
  scratch.create(path, text);
  commitChanges(scratch, path, changes);
  return scratch.readText(path);
}
