import { Change, InsertChange, ReplaceChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { lineIndentAt } from '../utils/code-style';
import { sameLine } from './ast-helpers';

/** Properties of an object literal to print, each as `key: value` source text. */
export type ObjectProperties = string[];

/** Prints an object literal the way CLI-generated route files do: one property per line. */
export function printObject(properties: ObjectProperties, indent: string, unit: string, eol: string): string {
  return `{${eol}${properties.map((property) => `${indent}${unit}${property}`).join(`,${eol}`)}${eol}${indent}}`;
}

/**
 * The change that adds an object to an array literal: before `beforeElement` when given (a `**`
 * wildcard), else after the last element. Multi-line arrays get one property per line at the
 * indentation of their elements; arrays written on one line get the object on one line too.
 */
export function insertIntoArray(
  source: ts.SourceFile,
  array: ts.ArrayLiteralExpression,
  properties: ObjectProperties,
  unit: string,
  eol: string,
  beforeElement?: ts.Expression,
): Change {
  const path = source.fileName;
  const elements = array.elements;
  if (elements.length === 0) {
    const indent = lineIndentAt(source.text, array.getStart(source));
    const object = printObject(properties, indent + unit, unit, eol);

    return new ReplaceChange(path, array.getStart(source), array.getText(source), `[${eol}${indent}${unit}${object}${eol}${indent}]`);
  }
  const first = elements[0];
  const inline = sameLine(source, array.getStart(source), first.getStart(source));
  const indent = lineIndentAt(source.text, first.getStart(source));
  const object = inline ? `{ ${properties.join(', ')} }` : printObject(properties, indent, unit, eol);
  if (beforeElement) {
    return new InsertChange(path, beforeElement.getStart(source), inline ? `${object}, ` : `${object},${eol}${indent}`);
  }
  const last = elements[elements.length - 1];

  return new InsertChange(path, last.getEnd(), inline ? `, ${object}` : `,${eol}${indent}${object}`);
}

/** A single-quoted TypeScript string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
