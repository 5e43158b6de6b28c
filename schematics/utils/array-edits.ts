import { Change, InsertChange, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { CodeStyle, lineIndentAt, sameLine } from './code-style';

/** An object literal to print, as its `key: value` properties (source text). */
export type ObjectProperties = string[];

/**
 * Prints an object literal the way CLI-generated route files do: one property per line (the file's
 * trailing-comma style applies to the list the object goes into, as in `insertIntoArray`).
 */
export function printObject(properties: ObjectProperties, indent: string, style: CodeStyle): string {
  const { newline, indentUnit } = style;
  const lines = properties.map((property) => `${indent}${indentUnit}${property}`).join(`,${newline}`);
  return `{${newline}${lines}${newline}${indent}}`;
}

/**
 * The change that adds an element to an array literal, following its layout: one element per line
 * (at the indentation of its elements, keeping or omitting the trailing comma as the array does) or
 * all on one line. `element` is source text, or an object's properties (printed one per line in a
 * multi-line array, `{ a, b }` in a one-line array). It goes before `before` when given (a `**`
 * wildcard route), else after the last element.
 */
export function insertIntoArray(
  sourceFile: ts.SourceFile,
  style: CodeStyle,
  array: ts.ArrayLiteralExpression,
  element: string | ObjectProperties,
  before?: ts.Expression,
): Change {
  const path = sourceFile.fileName;
  const text = sourceFile.text;
  const { elements } = array;
  const first = elements[0];
  const last = elements[elements.length - 1];
  const print = (indent: string | undefined) =>
    typeof element === 'string' ? element : indent === undefined ? `{ ${element.join(', ')} }` : printObject(element, indent, style);
  if (!first || !last) {
    if (typeof element === 'string') return new InsertChange(path, array.getStart(sourceFile) + 1, element);
    const indent = lineIndentAt(text, array.getStart(sourceFile));
    const inner = indent + style.indentUnit;
    const replacement = `[${style.newline}${inner}${print(inner)}${style.trailingComma}${style.newline}${indent}]`;
    return new ReplaceChange(path, array.getStart(sourceFile), array.getText(sourceFile), replacement);
  }
  const inline = sameLine(text, array.getStart(sourceFile), first.getStart(sourceFile));
  if (inline) {
    return before
      ? new InsertChange(path, before.getStart(sourceFile), `${print(undefined)}, `)
      : new InsertChange(path, last.getEnd(), `, ${print(undefined)}`);
  }
  if (before) {
    const indent = lineIndentAt(text, before.getStart(sourceFile));
    return new InsertChange(path, before.getStart(sourceFile), `${print(indent)},${style.newline}${indent}`);
  }
  const indent = lineIndentAt(text, last.getStart(sourceFile));
  if (elements.hasTrailingComma) {
    const comma = text.indexOf(',', last.getEnd());
    return new InsertChange(path, comma + 1, `${style.newline}${indent}${print(indent)},`);
  }
  return new InsertChange(path, last.getEnd(), `,${style.newline}${indent}${print(indent)}`);
}

/** The change that adds `texts` (`key: value` properties) at the end of an object literal, in its layout. */
export function appendProperties(sourceFile: ts.SourceFile, style: CodeStyle, object: ts.ObjectLiteralExpression, texts: string[]): Change {
  const path = sourceFile.fileName;
  const properties = object.properties;
  const last = properties[properties.length - 1];
  if (!last) {
    return new ReplaceChange(path, object.getStart(sourceFile), object.getText(sourceFile), `{ ${texts.join(', ')} }`);
  }
  if (sameLine(sourceFile.text, object.getStart(sourceFile), last.getStart(sourceFile))) {
    return new InsertChange(path, last.getEnd(), texts.map((text) => `, ${text}`).join(''));
  }
  const indent = lineIndentAt(sourceFile.text, last.getStart(sourceFile));
  return new InsertChange(path, last.getEnd(), texts.map((text) => `,${style.newline}${indent}${text}`).join(''));
}
