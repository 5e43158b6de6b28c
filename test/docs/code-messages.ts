import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/** One user-facing message found in the code: its file, line and the fixed parts of its text. */
export interface CodeMessage {
  file: string;
  line: number;
  /** The literal text around `${…}` substitutions (each part trimmed, short connectors dropped). */
  fragments: string[];
}

/** Error classes whose message reaches the user. */
const ERROR_CLASSES = new Set(['SchematicsException', 'OptionsError', 'Error', 'TypeError', 'RangeError', 'RedisUnavailableError']);
/** Methods whose string argument is printed as a warning or an error. */
const PRINTING_METHODS = new Set(['error', 'warn']);
/** Properties that carry a reason shown to the user (refusals, endpoint errors, failed URLs). */
const MESSAGE_PROPERTIES = new Set(['error', 'reason', 'message']);
/** Functions whose message argument becomes an endpoint `{ error }` answer. */
const REJECTING_CALLS = new Set(['reject', 'refuse', 'fail']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The string pieces of an expression: literals, template parts, both sides of `+`, ternary branches. */
function stringPieces(node: ts.Expression): string[] {
  if (ts.isParenthesizedExpression(node)) return stringPieces(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [...stringPieces(node.left), ...stringPieces(node.right)];
  }
  if (ts.isConditionalExpression(node)) return [...stringPieces(node.whenTrue), ...stringPieces(node.whenFalse)];
  return [];
}

/** Keeps the parts of a message that identify it (at least two words of text). */
function fragmentsOf(pieces: string[]): string[] {
  return pieces
    .flatMap((piece) => piece.split('\n'))
    .map((piece) => piece.replace(/\s+/g, ' ').trim())
    .filter((piece) => piece.length >= 12 && /[A-Za-z]{2,}\s+\S+/.test(piece));
}

function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

function propertyName(property: ts.PropertyAssignment): string | undefined {
  return ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
}

/** An object literal `{ level: 'warn' | 'error', text }`. */
function isWarningObject(node: ts.ObjectLiteralExpression): boolean {
  return node.properties.some(
    (p) =>
      ts.isPropertyAssignment(p) &&
      propertyName(p) === 'level' &&
      ts.isStringLiteral(p.initializer) &&
      PRINTING_METHODS.has(p.initializer.text),
  );
}

function isLoggerTarget(expression: ts.Expression): boolean {
  const text = expression.getText();
  return /(logger|console|log)$/i.test(text);
}

/**
 * Every warning and error message the schematics, the builder and the runtime can print or
 * answer: arguments of `logger.warn/error`, `console.warn/error`, `new …Error(…)` /
 * `new SchematicsException(…)`, refusal helpers, `error` / `reason` / `message` properties, and
 * the `text` of `{ level: 'warn', text }` log entries.
 */
export function codeMessages(root: string, folders: string[]): CodeMessage[] {
  const messages: CodeMessage[] = [];
  for (const folder of folders) {
    for (const file of tsFiles(join(root, folder))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const add = (node: ts.Node, expression: ts.Expression | undefined) => {
        if (!expression) return;
        const fragments = fragmentsOf(stringPieces(expression));
        if (fragments.length === 0) return;
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        messages.push({ file: relative(root, file), line: line + 1, fragments });
      };
      const visit = (node: ts.Node): void => {
        if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && ERROR_CLASSES.has(node.expression.text)) {
          add(node, node.arguments?.[0]);
        } else if (ts.isCallExpression(node)) {
          const name = calleeName(node.expression);
          if (
            name !== undefined &&
            PRINTING_METHODS.has(name) &&
            ts.isPropertyAccessExpression(node.expression) &&
            isLoggerTarget(node.expression.expression)
          ) {
            add(node, node.arguments[0]);
          } else if (name !== undefined && REJECTING_CALLS.has(name)) {
            for (const argument of node.arguments) add(node, argument);
          }
        } else if (ts.isObjectLiteralExpression(node) && isWarningObject(node)) {
          // `{ level: 'warn', text: … }`: a message ng add logs at warning level.
          const text = node.properties.find((p) => ts.isPropertyAssignment(p) && propertyName(p) === 'text');
          add(node, text && ts.isPropertyAssignment(text) ? text.initializer : undefined);
        } else if (
          ts.isPropertyAssignment(node) &&
          (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
          MESSAGE_PROPERTIES.has(node.name.text)
        ) {
          add(node, node.initializer);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return messages;
}
