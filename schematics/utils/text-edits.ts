/** One change to a file's text: replace `[start, end)` with `text` (`start === end` inserts). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** An insertion at `position`. */
export function insertAt(position: number, text: string): TextEdit {
  return { start: position, end: position, text };
}

/**
 * Applies edits to a text. Edits must not overlap; insertions at the same position keep the order
 * they were given in. Pure, so that every rewrite can be checked before anything is written.
 */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.index - b.index);
  let result = '';
  let cursor = 0;
  for (const { edit } of ordered) {
    if (edit.start < cursor) {
      throw new Error(`Overlapping edits at offset ${edit.start}.`);
    }
    result += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}
