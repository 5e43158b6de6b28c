import { getEOL } from '@schematics/angular/utility/eol';
import type * as ts from 'typescript';

/** How a source file writes code, so that inserted lines look like the lines around them. */
export interface CodeStyle {
  /** `'` or `"`, taken from the file's import specifiers. */
  quote: string;
  /** `;` when the file ends statements with semicolons, else an empty string. */
  semicolon: string;
  /** One level of indentation (a tab, or the file's smallest space indent up to four). */
  indentUnit: string;
  /** `,` when multi-line lists in the file end with a trailing comma, else an empty string. */
  trailingComma: string;
  /** The file's line break (`getEOL` of the Angular CLI: the majority of its line breaks). */
  newline: string;
}

/** Reads the {@link CodeStyle} of a parsed file; defaults follow the Angular CLI's own output. */
export function detectCodeStyle(tsModule: typeof ts, sourceFile: ts.SourceFile): CodeStyle {
  const text = sourceFile.text;
  const firstImport = sourceFile.statements.find(tsModule.isImportDeclaration);
  const quote = firstImport ? text.charAt(firstImport.moduleSpecifier.getStart(sourceFile)) : "'";
  const firstStatement = firstImport ?? sourceFile.statements[0];
  const semicolon = firstStatement && !text.slice(0, firstStatement.getEnd()).endsWith(';') ? '' : ';';
  return {
    quote: quote === '"' ? '"' : "'",
    semicolon,
    indentUnit: detectIndentUnit(text),
    trailingComma: hasMultilineTrailingComma(text) ? ',' : '',
    newline: text.includes('\n') ? getEOL(text) : '\n',
  };
}

/** Quotes a string literal in the file's style. */
export function quoted(style: CodeStyle, value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').split(style.quote).join(`\\${style.quote}`);
  return `${style.quote}${escaped}${style.quote}`;
}

/** The whitespace before the first non-blank character of the line holding `position`. */
export function lineIndentAt(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The end of the line holding `position` (before its line break), so trailing comments stay put. */
export function lineEnd(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  if (newline === -1) return text.length;
  return text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Whether two positions of a file sit on the same line. */
export function sameLine(text: string, a: number, b: number): boolean {
  return !text.slice(Math.min(a, b), Math.max(a, b)).includes('\n');
}

function detectIndentUnit(text: string): string {
  let smallest: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const indent = /^([ \t]+)\S/.exec(line)?.[1];
    // Skip the ` * ` continuation lines of block comments.
    if (!indent || line.trimStart().startsWith('*')) continue;
    if (indent.startsWith('\t')) return '\t';
    if (!smallest || indent.length < smallest.length) smallest = indent;
  }
  return smallest && smallest.length <= 4 ? smallest : '  ';
}

function hasMultilineTrailingComma(text: string): boolean {
  // A comma at the end of a line that is followed by a line closing a list: `  foo,\n}` / `  foo,\n)`.
  return /,[ \t]*\r?\n[ \t]*[\]})]/.test(text);
}

/** The style of the Angular CLI's generated files: for code printed outside any file (lines to add by hand). */
export const CLI_CODE_STYLE: CodeStyle = { quote: "'", semicolon: ';', indentUnit: '  ', trailingComma: '', newline: '\n' };
