import type * as ts from 'typescript';
import { CodeStyle, lineIndentAt } from './code-style';
import { TextEdit, insertAt } from './text-edits';

/**
 * The edit that appends `element` to an array literal, following its layout: one element per line
 * (keeping or omitting the trailing comma as the array does) or all on one line.
 */
export function appendToArray(sourceFile: ts.SourceFile, style: CodeStyle, array: ts.ArrayLiteralExpression, element: string): TextEdit {
  const elements = array.elements;
  const last = elements[elements.length - 1];
  if (!last) return insertAt(array.getStart(sourceFile) + 1, element);
  const text = sourceFile.text;
  const multiline = text.slice(array.getStart(sourceFile), elements[0]!.getStart(sourceFile)).includes('\n');
  if (!multiline) return insertAt(last.getEnd(), `, ${element}`);
  const indent = lineIndentAt(text, last.getStart(sourceFile));
  if (elements.hasTrailingComma) {
    const comma = text.indexOf(',', last.getEnd());
    return insertAt(comma + 1, `${style.newline}${indent}${element},`);
  }
  return insertAt(last.getEnd(), `,${style.newline}${indent}${element}`);
}
