import type * as ts from 'typescript';
import type { TypeScript } from '../utils/ast-search';

/** An exported class decorated with `@Component`. */
export interface ComponentClass {
  name: string;
  /** `export default class …`: imported without braces, `loadComponent` needs no `.then`. */
  isDefault: boolean;
}

/** The exported `@Component` classes a file declares, in source order. */
export function findComponentClasses(typescript: TypeScript, source: ts.SourceFile): ComponentClass[] {
  const found: ComponentClass[] = [];
  for (const statement of source.statements) {
    if (!typescript.isClassDeclaration(statement) || !statement.name) {
      continue;
    }
    const modifiers = typescript.getModifiers(statement) ?? [];
    if (!modifiers.some((modifier) => modifier.kind === typescript.SyntaxKind.ExportKeyword)) {
      continue;
    }
    const isComponent = (typescript.getDecorators(statement) ?? []).some((decorator) => {
      const call = decorator.expression;

      return typescript.isCallExpression(call) && typescript.isIdentifier(call.expression) && call.expression.text === 'Component';
    });
    if (isComponent) {
      found.push({
        name: statement.name.text,
        isDefault: modifiers.some((modifier) => modifier.kind === typescript.SyntaxKind.DefaultKeyword),
      });
    }
  }

  return found;
}
